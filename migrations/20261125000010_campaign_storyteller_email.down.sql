DROP FUNCTION campaign_has_orders(UUID);
DROP INDEX family_members_campaign_user_key;
ALTER TABLE campaigns DROP CONSTRAINT campaigns_goal_at_most_1000;
ALTER TABLE campaigns DROP CONSTRAINT campaigns_title_length;
ALTER TABLE campaigns DROP COLUMN storyteller_email;
