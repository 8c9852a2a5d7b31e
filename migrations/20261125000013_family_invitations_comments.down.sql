ALTER TABLE stories DROP COLUMN completed_at;
DROP FUNCTION enqueue_mail(JSONB);
DROP TABLE invitations;
DROP TABLE story_hearts;
DROP TABLE story_comments;
DROP POLICY family_members_leave ON family_members;
ALTER POLICY family_members_insert ON family_members
    WITH CHECK (has_campaign_role(campaign_id, 'owner'));
ALTER POLICY stories_update ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor'))))
    WITH CHECK (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor'))));
DROP FUNCTION has_campaign_permission(UUID, TEXT);
DROP FUNCTION role_permission(TEXT, TEXT);
DROP INDEX family_members_campaign_email;
