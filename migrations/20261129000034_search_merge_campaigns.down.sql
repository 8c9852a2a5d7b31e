CREATE OR REPLACE FUNCTION public.search_story_ids(p_query tsquery, p_campaign uuid, p_category text, p_status text, p_after_rank real, p_after_id uuid, p_limit integer, p_ranked integer)
 RETURNS TABLE(id uuid, rank real)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_seqscan TO 'off'
AS $function$
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
            ORDER BY s.updated_at DESC, s.id
            LIMIT p_ranked
        ) AS m
        ORDER BY m.updated_at DESC, m.story_id
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
$function$

;
