CREATE OR REPLACE FUNCTION campaigns_with_role(p_min_role TEXT) RETURNS SETOF UUID
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT c.id FROM campaigns c
    WHERE c.user_id = auth.uid() AND role_rank(p_min_role) > 0
    UNION
    SELECT fm.campaign_id FROM family_members fm
    WHERE fm.user_id = auth.uid() AND fm.status = 'active'
      AND role_rank(p_min_role) > 0 AND role_rank(fm.role) >= role_rank(p_min_role)
$$;

ALTER POLICY books_select ON books
    USING ((campaign_id IN (SELECT campaigns_with_role('viewer'))));
ALTER POLICY campaigns_select ON campaigns
    USING (((user_id = auth.uid()) OR (id IN (SELECT campaigns_with_role('viewer')))));
ALTER POLICY family_members_select ON family_members
    USING (((campaign_id IN (SELECT campaigns_with_role('viewer'))) OR (user_id = auth.uid())));
ALTER POLICY photos_select ON photos
    USING (((user_id = auth.uid()) OR (campaign_id IN (SELECT campaigns_with_role('viewer')))));
ALTER POLICY stories_delete ON stories
    USING (((campaign_id IN (SELECT campaigns_with_role('owner'))) OR ((created_by = auth.uid()) AND (campaign_id IN (SELECT campaigns_with_role('contributor'))))));
ALTER POLICY stories_insert ON stories
    WITH CHECK (((campaign_id IN (SELECT campaigns_with_role('contributor'))) AND (created_by = auth.uid())));
ALTER POLICY stories_select ON stories
    USING ((campaign_id IN (SELECT campaigns_with_role('viewer'))));
ALTER POLICY stories_update ON stories
    USING (((campaign_id IN (SELECT campaigns_with_role('owner'))) OR ((created_by = auth.uid()) AND (campaign_id IN (SELECT campaigns_with_role('contributor')))) OR ((campaign_id IN (SELECT campaigns_with_role('contributor'))) AND has_campaign_permission(campaign_id, 'can_edit_others_stories'))))
    WITH CHECK (((campaign_id IN (SELECT campaigns_with_role('owner'))) OR ((created_by = auth.uid()) AND (campaign_id IN (SELECT campaigns_with_role('contributor')))) OR ((campaign_id IN (SELECT campaigns_with_role('contributor'))) AND has_campaign_permission(campaign_id, 'can_edit_others_stories'))));
ALTER POLICY story_comments_delete ON story_comments
    USING (((user_id = auth.uid()) OR (EXISTS ( SELECT 1
   FROM stories s
  WHERE ((s.id = story_comments.story_id) AND (s.campaign_id IN (SELECT campaigns_with_role('owner'))))))));
ALTER POLICY story_photos_write ON story_photos
    USING ((EXISTS ( SELECT 1
   FROM (stories s
     JOIN photos p ON ((p.id = story_photos.photo_id)))
  WHERE ((s.id = story_photos.story_id) AND (p.campaign_id = s.campaign_id) AND (s.campaign_id IN (SELECT campaigns_with_role('contributor')))))))
    WITH CHECK ((EXISTS ( SELECT 1
   FROM (stories s
     JOIN photos p ON ((p.id = story_photos.photo_id)))
  WHERE ((s.id = story_photos.story_id) AND (p.campaign_id = s.campaign_id) AND (s.campaign_id IN (SELECT campaigns_with_role('contributor')))))));
ALTER POLICY story_share_links_select ON story_share_links
    USING ((campaign_id IN (SELECT campaigns_with_role('viewer'))));

DROP FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER);
CREATE FUNCTION search_story_ids(
    p_query TSQUERY, p_campaign UUID, p_category TEXT, p_status TEXT,
    p_after_rank REAL, p_after_id UUID, p_limit INTEGER
) RETURNS TABLE (id UUID, rank REAL)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT s.id, ts_rank(s.search, p_query) AS rank
    FROM stories s
    WHERE s.search @@ p_query
      AND s.campaign_id IN (SELECT campaigns_with_role('viewer'))
      AND (p_campaign IS NULL OR s.campaign_id = p_campaign)
      AND (p_category IS NULL OR s.category = p_category)
      AND (p_status IS NULL OR s.status = p_status)
      AND (p_after_rank IS NULL OR (ts_rank(s.search, p_query), s.id) < (p_after_rank, p_after_id))
    ORDER BY rank DESC, s.id DESC
    LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_story_ids(TSQUERY, UUID, TEXT, TEXT, REAL, UUID, INTEGER) TO authenticated;
