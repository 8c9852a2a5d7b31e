DROP TABLE campaign_questions;
DROP FUNCTION count_campaign_questions();
DROP TABLE prompts;
-- Nothing kept these before.
UPDATE campaigns SET total_prompts = 0, used_prompts = 0;
