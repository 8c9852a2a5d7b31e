-- A question about one photo is asked at most once per campaign (as a library question is).
-- Its own migration: migration 21 may already have run without it.
CREATE UNIQUE INDEX IF NOT EXISTS campaign_questions_photo_once
    ON campaign_questions (campaign_id, photo_id) WHERE photo_id IS NOT NULL;
