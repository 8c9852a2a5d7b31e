DROP FUNCTION enqueue_answer_notice(UUID);
CREATE OR REPLACE FUNCTION enqueue_transcription(p_story_id UUID) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    job_id BIGINT;
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM stories s
        WHERE s.id = p_story_id AND s.audio_url IS NOT NULL
          AND (has_campaign_role(s.campaign_id, 'owner')
               OR (s.created_by = auth.uid() AND has_campaign_role(s.campaign_id, 'contributor')))
    ) THEN
        RAISE EXCEPTION 'not allowed to transcribe this story' USING ERRCODE = '42501';
    END IF;
    UPDATE stories SET transcription_status = 'queued', transcription_error = NULL WHERE id = p_story_id;
    INSERT INTO jobs (kind, payload) VALUES ('transcribe', jsonb_build_object('story_id', p_story_id))
    RETURNING id INTO job_id;
    RETURN job_id;
END;
$$;
REVOKE ALL ON FUNCTION enqueue_transcription(UUID) FROM storyteller;
DROP FUNCTION storyteller_next_story_order();
DROP POLICY photos_storyteller_select ON photos;
REVOKE ALL ON photos FROM storyteller;
DROP POLICY stories_storyteller_insert ON stories;
DROP POLICY stories_storyteller_select ON stories;
REVOKE ALL ON stories FROM storyteller;
DROP POLICY campaign_questions_storyteller_update ON campaign_questions;
DROP POLICY campaign_questions_storyteller_select ON campaign_questions;
REVOKE ALL ON campaign_questions FROM storyteller;
DROP POLICY campaigns_storyteller_select ON campaigns;
REVOKE ALL ON campaigns FROM storyteller;
REVOKE USAGE ON SCHEMA auth FROM storyteller;
REVOKE USAGE ON SCHEMA public FROM storyteller;
DROP FUNCTION storyteller_campaign();
ALTER TABLE stories DROP COLUMN prompt_id, DROP COLUMN question_id;
DROP TABLE storyteller_links;
