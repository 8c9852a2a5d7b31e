-- Policies written `campaign_id IN (SELECT campaigns_with_role(...))` became a hashed
-- SubPlan *filter*: every page read all families' rows and threw away all but its own
-- (the dashboard read 20,300 stories to show 300). `= ANY (ARRAY(SELECT ...))` evaluates
-- the caller's campaigns once (an InitPlan) and hands the array to the index, so a page
-- reads only its family's rows. tests/integration/rows_read.rs keeps it that way.
--
-- campaigns_with_role() becomes PL/pgSQL so its plan is made once per connection, not
-- once per statement, and tells the planner it returns a handful of rows.
CREATE OR REPLACE FUNCTION campaigns_with_role(p_min_role TEXT) RETURNS SETOF UUID
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 5
SET search_path = public, pg_temp
AS $$
BEGIN
    IF role_rank(p_min_role) <= 0 THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT c.id FROM campaigns c WHERE c.user_id = auth.uid()
        UNION
        SELECT fm.campaign_id FROM family_members fm
        WHERE fm.user_id = auth.uid() AND fm.status = 'active'
          AND role_rank(fm.role) >= role_rank(p_min_role);
END
$$;

ALTER POLICY books_select ON books
    USING ((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer')))));
ALTER POLICY campaigns_select ON campaigns
    USING (((user_id = auth.uid()) OR (id = ANY (ARRAY(SELECT campaigns_with_role('viewer'))))));
ALTER POLICY family_members_select ON family_members
    USING (((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer')))) OR (user_id = auth.uid())));
ALTER POLICY photos_select ON photos
    USING (((user_id = auth.uid()) OR (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer'))))));
ALTER POLICY stories_delete ON stories
    USING (((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('owner')))) OR ((created_by = auth.uid()) AND (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor')))))));
ALTER POLICY stories_insert ON stories
    WITH CHECK (((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor')))) AND (created_by = auth.uid())));
ALTER POLICY stories_select ON stories
    USING ((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer')))));
ALTER POLICY stories_update ON stories
    USING (((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('owner')))) OR ((created_by = auth.uid()) AND (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor'))))) OR ((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor')))) AND has_campaign_permission(campaign_id, 'can_edit_others_stories'))))
    WITH CHECK (((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('owner')))) OR ((created_by = auth.uid()) AND (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor'))))) OR ((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor')))) AND has_campaign_permission(campaign_id, 'can_edit_others_stories'))));
ALTER POLICY story_comments_delete ON story_comments
    USING (((user_id = auth.uid()) OR (EXISTS ( SELECT 1
   FROM stories s
  WHERE ((s.id = story_comments.story_id) AND (s.campaign_id = ANY (ARRAY(SELECT campaigns_with_role('owner')))))))));
ALTER POLICY story_photos_write ON story_photos
    USING ((EXISTS ( SELECT 1
   FROM (stories s
     JOIN photos p ON ((p.id = story_photos.photo_id)))
  WHERE ((s.id = story_photos.story_id) AND (p.campaign_id = s.campaign_id) AND (s.campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor'))))))))
    WITH CHECK ((EXISTS ( SELECT 1
   FROM (stories s
     JOIN photos p ON ((p.id = story_photos.photo_id)))
  WHERE ((s.id = story_photos.story_id) AND (p.campaign_id = s.campaign_id) AND (s.campaign_id = ANY (ARRAY(SELECT campaigns_with_role('contributor'))))))));
ALTER POLICY story_share_links_select ON story_share_links
    USING ((campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer')))));

-- Search, the same way. And PL/pgSQL planned for each call's own words
-- (force_custom_plan): an SQL function is planned once for any query, which assumed every
-- word rare and read the text index's matches in every family. Now a common word starts
-- from the searcher's stories (idx_stories_campaign_id) and a rare one from the text index.
DROP FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER);
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
