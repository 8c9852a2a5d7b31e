-- Search ranks at most the newest p_ranked matches (the caller passes 500). Ranking reads
-- every match's whole tsvector, so a word in most of a family's stories cost one ts_rank per
-- story before the first page: 218 ms for a family of 100,000 stories among 1,100,000.
--
-- First a bounded probe: are there more than p_ranked matches in the searcher's campaigns?
-- A rarer word (few matches, found through the text index) is ranked whole, as before. A
-- common one takes each campaign's newest matches through idx_stories_campaign_updated,
-- stopping after p_ranked, and ranks the newest p_ranked of those: 2.5 ms for that family.
-- Page 25 costs what page 1 costs.
--
-- The caller's campaigns go in as an array the planner can see (custom plans), so it knows a
-- large campaign from a small one. enable_seqscan is off because with a LIMIT the planner
-- otherwise hopes to meet a campaign's matches early in a scan of every family's stories,
-- and a large campaign stored at the end of the table took seconds.
DROP FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER);
CREATE FUNCTION search_story_ids(
    p_query TSQUERY, p_campaign UUID, p_category TEXT, p_status TEXT,
    p_after_rank REAL, p_after_id UUID, p_limit INTEGER, p_ranked INTEGER
) RETURNS TABLE (id UUID, rank REAL)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = off
AS $$
DECLARE
    mine UUID[] := ARRAY(SELECT c FROM campaigns_with_role('viewer') AS c WHERE p_campaign IS NULL OR c = p_campaign);
    matches INTEGER;
BEGIN
    SELECT count(*) INTO matches FROM (
        SELECT 1 FROM stories s
        WHERE s.campaign_id = ANY (mine) AND s.search @@ p_query
          AND (p_category IS NULL OR s.category = p_category)
          AND (p_status IS NULL OR s.status = p_status)
        LIMIT p_ranked + 1
    ) AS found;
    IF matches <= p_ranked THEN
        RETURN QUERY
        SELECT s.id, ts_rank(s.search, p_query)
        FROM stories s
        WHERE s.campaign_id = ANY (mine) AND s.search @@ p_query
          AND (p_category IS NULL OR s.category = p_category)
          AND (p_status IS NULL OR s.status = p_status)
          AND (p_after_rank IS NULL OR (ts_rank(s.search, p_query), s.id) < (p_after_rank, p_after_id))
        ORDER BY 2 DESC, 1 DESC
        LIMIT p_limit;
        RETURN;
    END IF;
    RETURN QUERY
    WITH newest AS (
        SELECT m.story_id, m.text_search
        FROM unnest(mine) AS c(campaign_id),
        LATERAL (
            SELECT s.id AS story_id, s.updated_at, s.search AS text_search
            FROM stories s
            WHERE s.campaign_id = c.campaign_id AND s.search @@ p_query
              AND (p_category IS NULL OR s.category = p_category)
              AND (p_status IS NULL OR s.status = p_status)
            ORDER BY s.updated_at DESC, s.id DESC
            LIMIT p_ranked
        ) AS m
        ORDER BY m.updated_at DESC, m.story_id DESC
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
