-- Stories get an author (contributors edit only their own), a version for optimistic
-- concurrency (two editors never silently overwrite each other), a transcription status for
-- the background job, and a generated search vector with its GIN index.
ALTER TABLE stories
    ADD COLUMN created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN audio_mime TEXT,
    ADD COLUMN audio_size_bytes BIGINT,
    ADD COLUMN transcription_status TEXT NOT NULL DEFAULT 'none'
        CHECK (transcription_status IN ('none', 'queued', 'transcribing', 'done', 'failed')),
    ADD COLUMN transcription_error TEXT,
    ADD CONSTRAINT stories_title_present CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    ADD CONSTRAINT stories_content_size CHECK (length(coalesce(content, '')) <= 500000),
    ADD CONSTRAINT stories_transcription_size CHECK (length(coalesce(transcription, '')) <= 500000),
    ADD CONSTRAINT stories_category_size CHECK (length(coalesce(category, '')) <= 60),
    ADD CONSTRAINT stories_audio_duration_positive CHECK (audio_duration IS NULL OR audio_duration >= 0);

ALTER TABLE stories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(content, '')), 'B')
    || setweight(to_tsvector('english', coalesce(transcription, '')), 'C')
) STORED;

CREATE INDEX idx_stories_created_by ON stories(created_by);
CREATE INDEX idx_stories_search ON stories USING GIN (search);
CREATE INDEX idx_stories_campaign_order ON stories(campaign_id, story_order, created_at);
-- Keyset pagination of search results and of a campaign's newest stories.
CREATE INDEX idx_stories_campaign_updated ON stories(campaign_id, updated_at DESC, id);

-- Every change of the text bumps the version; the application compares it before writing.
CREATE OR REPLACE FUNCTION update_story_word_count() RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.word_count := (SELECT count(*) FROM regexp_matches(coalesce(NEW.content, ''), '\S+', 'g'));
    -- Moving a story in the book order is not an edit: it keeps its date and version.
    IF TG_OP = 'UPDATE' THEN
        IF NEW.title IS DISTINCT FROM OLD.title OR NEW.content IS DISTINCT FROM OLD.content
           OR NEW.category IS DISTINCT FROM OLD.category OR NEW.status IS DISTINCT FROM OLD.status
           OR NEW.transcription IS DISTINCT FROM OLD.transcription THEN
            NEW.version := OLD.version + 1;
            NEW.updated_at := NOW();
        ELSIF NEW.audio_url IS DISTINCT FROM OLD.audio_url
           OR NEW.audio_duration IS DISTINCT FROM OLD.audio_duration
           OR NEW.photos IS DISTINCT FROM OLD.photos OR NEW.metadata IS DISTINCT FROM OLD.metadata THEN
            NEW.updated_at := NOW();
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

-- Contributors write their own stories; owners write all. (Reordering is an owner's job.)
ALTER POLICY stories_insert ON stories
    WITH CHECK (campaign_id IN (SELECT campaigns_with_role('contributor'))
                AND created_by = auth.uid());
ALTER POLICY stories_update ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor'))))
    WITH CHECK (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor'))));
ALTER POLICY stories_delete ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor'))));

-- A photo may illustrate several stories. (Columns are qualified: photos has a story_id too.)
CREATE TABLE story_photos (
    story_id UUID NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    photo_id UUID NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (story_id, photo_id)
);
CREATE INDEX idx_story_photos_photo_id ON story_photos(photo_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON story_photos TO authenticated;
ALTER TABLE story_photos ENABLE ROW LEVEL SECURITY;
CREATE POLICY story_photos_select ON story_photos FOR SELECT
    USING (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_photos.story_id));
CREATE POLICY story_photos_write ON story_photos FOR ALL
    USING (EXISTS (SELECT 1 FROM stories s JOIN photos p ON p.id = story_photos.photo_id
                   WHERE s.id = story_photos.story_id AND p.campaign_id = s.campaign_id
                     AND s.campaign_id IN (SELECT campaigns_with_role('contributor'))))
    WITH CHECK (EXISTS (SELECT 1 FROM stories s JOIN photos p ON p.id = story_photos.photo_id
                   WHERE s.id = story_photos.story_id AND p.campaign_id = s.campaign_id
                     AND s.campaign_id IN (SELECT campaigns_with_role('contributor'))));

ALTER TABLE photos
    ADD CONSTRAINT photos_caption_size CHECK (length(coalesce(caption, '')) <= 1000);

-- Members have no grant on the job queue; this lets a story's editor queue the
-- transcription of its recording in the same transaction that saved the recording.
CREATE FUNCTION enqueue_transcription(p_story_id UUID) RETURNS BIGINT
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
REVOKE ALL ON FUNCTION enqueue_transcription(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_transcription(UUID) TO authenticated;
