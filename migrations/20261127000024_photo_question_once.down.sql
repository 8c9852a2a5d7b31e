DROP INDEX IF EXISTS campaign_questions_photo_once;
