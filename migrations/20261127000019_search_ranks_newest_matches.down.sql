DROP FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER, INTEGER);
CREATE FUNCTION search_story_ids(
    p_query TSQUERY, p_campaign UUID, p_category TEXT, p_status TEXT,
    p_after_rank REAL, p_after_id UUID, p_limit INTEGER
) RETURNS TABLE (id UUID, rank REAL)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT s.id, ts_rank(s.search, p_query) AS rank
    FROM stories s
    WHERE s.search @@ p_query
      AND s.campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer')))
      AND (p_campaign IS NULL OR s.campaign_id = p_campaign)
      AND (p_category IS NULL OR s.category = p_category)
      AND (p_status IS NULL OR s.status = p_status)
      AND (p_after_rank IS NULL OR (ts_rank(s.search, p_query), s.id) < (p_after_rank, p_after_id))
    ORDER BY rank DESC, s.id DESC
    LIMIT p_limit;
END
$$;
REVOKE ALL ON FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER) TO authenticated;
