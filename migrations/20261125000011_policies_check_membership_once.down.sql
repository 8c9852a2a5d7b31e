ALTER POLICY photos_select ON photos
    USING (user_id = auth.uid() OR has_campaign_role(campaign_id, 'viewer'));
ALTER POLICY books_select ON books
    USING (has_campaign_role(campaign_id, 'viewer'));
ALTER POLICY family_members_select ON family_members
    USING (has_campaign_role(campaign_id, 'viewer') OR user_id = auth.uid());
ALTER POLICY stories_delete ON stories
    USING (has_campaign_role(campaign_id, 'contributor'));
ALTER POLICY stories_update ON stories
    USING (has_campaign_role(campaign_id, 'contributor'))
    WITH CHECK (has_campaign_role(campaign_id, 'contributor'));
ALTER POLICY stories_select ON stories
    USING (has_campaign_role(campaign_id, 'viewer'));
ALTER POLICY campaigns_select ON campaigns
    USING (user_id = auth.uid() OR has_campaign_role(id, 'viewer'));
DROP FUNCTION campaigns_with_role(TEXT);
