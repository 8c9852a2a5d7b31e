-- Search ranks at most the newest p_ranked matches (the caller passes 1,000). Ranking reads
-- every match's whole tsvector, so a word in most of a family's stories cost one ts_rank per
-- story before the first page could be shown. Now the matches are narrowed to the searcher's
-- campaigns first (the text index and the campaign index together), then to the newest
-- p_ranked of them by updated_at, and only those are ranked and paged (rank, id) as before:
-- page 50 costs what page 1 costs.
DROP FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER);
CREATE FUNCTION search_story_ids(
    p_query TSQUERY, p_campaign UUID, p_category TEXT, p_status TEXT,
    p_after_rank REAL, p_after_id UUID, p_limit INTEGER, p_ranked INTEGER
) RETURNS TABLE (id UUID, rank REAL)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    WITH newest AS (
        SELECT s.id AS story_id, s.search AS text_search
        FROM stories s
        WHERE s.search @@ p_query
          AND s.campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer')))
          AND (p_campaign IS NULL OR s.campaign_id = p_campaign)
          AND (p_category IS NULL OR s.category = p_category)
          AND (p_status IS NULL OR s.status = p_status)
        ORDER BY s.updated_at DESC, s.id DESC
        LIMIT p_ranked
    ), ranked AS (
        SELECT n.story_id, ts_rank(n.text_search, p_query) AS story_rank FROM newest n
    )
    SELECT r.story_id, r.story_rank
    FROM ranked r
    WHERE p_after_rank IS NULL OR (r.story_rank, r.story_id) < (p_after_rank, p_after_id)
    ORDER BY r.story_rank DESC, r.story_id DESC
    LIMIT p_limit;
END
$$;
REVOKE ALL ON FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER, INTEGER) TO authenticated;
