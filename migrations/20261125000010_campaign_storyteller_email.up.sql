-- Campaigns: where to send the storyteller's weekly prompts; when archived, read-only.
ALTER TABLE campaigns ADD COLUMN storyteller_email TEXT
    CHECK (storyteller_email IS NULL OR storyteller_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$');
ALTER TABLE campaigns ADD CONSTRAINT campaigns_title_length
    CHECK (char_length(title) BETWEEN 1 AND 200);
ALTER TABLE campaigns ADD CONSTRAINT campaigns_goal_at_most_1000 CHECK (goal_stories <= 1000);
-- One membership row per person and campaign.
CREATE UNIQUE INDEX family_members_campaign_user_key
    ON family_members (campaign_id, user_id) WHERE user_id IS NOT NULL;

-- Whether anyone ordered a book of this campaign: orders are visible to their orderer only,
-- yet they must stop the owner from deleting the campaign.
CREATE FUNCTION campaign_has_orders(p_campaign_id UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT has_campaign_role(p_campaign_id, 'viewer') AND EXISTS (
        SELECT 1 FROM book_orders o JOIN books b ON b.id = o.book_id
        WHERE b.campaign_id = p_campaign_id
    )
$$;
GRANT EXECUTE ON FUNCTION campaign_has_orders(UUID) TO authenticated;
