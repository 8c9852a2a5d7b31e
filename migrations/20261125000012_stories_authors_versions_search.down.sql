DROP FUNCTION enqueue_transcription(UUID);
ALTER TABLE photos DROP CONSTRAINT photos_caption_size;
DROP TABLE story_photos;

ALTER POLICY stories_insert ON stories
    WITH CHECK (has_campaign_role(campaign_id, 'contributor'));
ALTER POLICY stories_update ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('contributor')))
    WITH CHECK (campaign_id IN (SELECT campaigns_with_role('contributor')));
ALTER POLICY stories_delete ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('contributor')));

CREATE OR REPLACE FUNCTION update_story_word_count() RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.word_count := (SELECT count(*) FROM regexp_matches(coalesce(NEW.content, ''), '\S+', 'g'));
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := NOW();
    END IF;
    RETURN NEW;
END;
$$;

DROP INDEX idx_stories_campaign_updated;
DROP INDEX idx_stories_campaign_order;
ALTER TABLE stories
    DROP COLUMN search,
    DROP CONSTRAINT stories_audio_duration_positive,
    DROP CONSTRAINT stories_category_size,
    DROP CONSTRAINT stories_transcription_size,
    DROP CONSTRAINT stories_content_size,
    DROP CONSTRAINT stories_title_present,
    DROP COLUMN transcription_error,
    DROP COLUMN transcription_status,
    DROP COLUMN audio_size_bytes,
    DROP COLUMN audio_mime,
    DROP COLUMN version,
    DROP COLUMN created_by;
