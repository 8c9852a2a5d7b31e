-- The storyteller's link: a second, narrow principal with no account. Its requests run as
-- role `storyteller` with the link's campaign in the transaction-local setting
-- `app.storyteller_campaign`; the policies below allow exactly what the storyteller's page
-- needs and nothing else.

-- Roles are cluster-wide; the private cluster's bootstrap (and a superuser running this)
-- creates it. An external database's owner needs `CREATE ROLE storyteller NOLOGIN; GRANT
-- storyteller TO <user>;` first (README).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'storyteller') THEN
        CREATE ROLE storyteller NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- One live link per campaign. Only the SHA-256 of its token is stored; the token itself is
-- derived from the row's id with the server's signing key, so the owner can be shown it
-- again. A replaced link keeps its row (replaced_at) so its page can say what happened.
CREATE TABLE storyteller_links (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_by UUID REFERENCES auth.users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    replaced_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX storyteller_links_one_live ON storyteller_links (campaign_id) WHERE replaced_at IS NULL;
CREATE INDEX idx_storyteller_links_campaign ON storyteller_links (campaign_id);
CREATE INDEX idx_storyteller_links_created_by ON storyteller_links (created_by);
ALTER TABLE storyteller_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY storyteller_links_select ON storyteller_links FOR SELECT TO authenticated
    USING (has_campaign_permission(campaign_id, 'can_manage_questions'));
CREATE POLICY storyteller_links_insert ON storyteller_links FOR INSERT TO authenticated
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions') AND created_by = auth.uid());
CREATE POLICY storyteller_links_update ON storyteller_links FOR UPDATE TO authenticated
    USING (has_campaign_permission(campaign_id, 'can_manage_questions'))
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions'));
GRANT SELECT, INSERT, UPDATE ON storyteller_links TO authenticated;

-- An answer is a story that remembers its question and the library prompt it came from.
-- Written by the storyteller, it has no created_by: the storyteller is its author, and an
-- owner's later edit keeps it so.
ALTER TABLE stories
    ADD COLUMN question_id UUID REFERENCES campaign_questions(id) ON DELETE SET NULL,
    ADD COLUMN prompt_id UUID REFERENCES prompts(id) ON DELETE SET NULL;
CREATE INDEX idx_stories_question ON stories (question_id);
CREATE INDEX idx_stories_prompt ON stories (prompt_id);

CREATE FUNCTION storyteller_campaign() RETURNS UUID
LANGUAGE sql STABLE
AS $$
    SELECT nullif(current_setting('app.storyteller_campaign', true), '')::uuid
$$;
GRANT EXECUTE ON FUNCTION storyteller_campaign() TO storyteller;

GRANT USAGE ON SCHEMA public TO storyteller;
-- Policies written for members call auth.uid(), which is NULL here.
GRANT USAGE ON SCHEMA auth TO storyteller;

-- The campaign's title and storyteller name, nothing more of it.
GRANT SELECT (id, title, storyteller_name) ON campaigns TO storyteller;
CREATE POLICY campaigns_storyteller_select ON campaigns FOR SELECT TO storyteller
    USING (id = storyteller_campaign());

-- The questions sent to them (never the family's queue), answered or skipped by them.
GRANT SELECT ON campaign_questions TO storyteller;
GRANT UPDATE (status, answered_at, skipped_at, story_id) ON campaign_questions TO storyteller;
CREATE POLICY campaign_questions_storyteller_select ON campaign_questions FOR SELECT TO storyteller
    USING (campaign_id = storyteller_campaign() AND status <> 'queued');
CREATE POLICY campaign_questions_storyteller_update ON campaign_questions FOR UPDATE TO storyteller
    USING (campaign_id = storyteller_campaign() AND status = 'sent')
    WITH CHECK (campaign_id = storyteller_campaign() AND status IN ('answered', 'skipped'));

-- Their own answers: read and add, never change or delete.
GRANT SELECT (id, campaign_id, title, content, category, status, audio_url, audio_duration, audio_mime,
              transcription_status, question_id, prompt_id, created_by, created_at)
    ON stories TO storyteller;
GRANT INSERT (id, campaign_id, title, content, category, status, completed_at, story_order, question_id, prompt_id,
              audio_url, audio_mime, audio_duration, audio_size_bytes, metadata)
    ON stories TO storyteller;
CREATE POLICY stories_storyteller_select ON stories FOR SELECT TO storyteller
    USING (campaign_id = storyteller_campaign() AND question_id IS NOT NULL AND created_by IS NULL);
CREATE POLICY stories_storyteller_insert ON stories FOR INSERT TO storyteller
    WITH CHECK (campaign_id = storyteller_campaign() AND question_id IS NOT NULL AND created_by IS NULL
                AND question_id IN (SELECT id FROM campaign_questions WHERE campaign_id = storyteller_campaign()));

-- The photos of photo questions that were sent to them.
GRANT SELECT (id, campaign_id, caption, metadata, width, height) ON photos TO storyteller;
CREATE POLICY photos_storyteller_select ON photos FOR SELECT TO storyteller
    USING (campaign_id = storyteller_campaign()
           AND id IN (SELECT photo_id FROM campaign_questions
                      WHERE campaign_id = storyteller_campaign() AND status <> 'queued' AND photo_id IS NOT NULL));

-- Where an answer goes in the book: last. The storyteller cannot read the family's stories
-- to work that out, so this reads only the number.
CREATE FUNCTION storyteller_next_story_order() RETURNS INTEGER
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT coalesce(max(story_order), 0) + 1 FROM stories WHERE campaign_id = storyteller_campaign()
$$;
REVOKE ALL ON FUNCTION storyteller_next_story_order() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storyteller_next_story_order() TO storyteller;

-- As before, plus the storyteller's own recorded answer.
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
               OR (s.created_by = auth.uid() AND has_campaign_role(s.campaign_id, 'contributor'))
               OR (s.campaign_id = storyteller_campaign() AND s.question_id IS NOT NULL AND s.created_by IS NULL))
    ) THEN
        RAISE EXCEPTION 'not allowed to transcribe this story' USING ERRCODE = '42501';
    END IF;
    UPDATE stories SET transcription_status = 'queued', transcription_error = NULL WHERE id = p_story_id;
    INSERT INTO jobs (kind, payload) VALUES ('transcribe', jsonb_build_object('story_id', p_story_id))
    RETURNING id INTO job_id;
    RETURN job_id;
END;
$$;
GRANT EXECUTE ON FUNCTION enqueue_transcription(UUID) TO storyteller;

-- The family hears of an answer from a job the server runs as itself (the storyteller may
-- not read who the family is).
CREATE FUNCTION enqueue_answer_notice(p_story_id UUID) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    job_id BIGINT;
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM stories s
        WHERE s.id = p_story_id AND s.campaign_id = storyteller_campaign()
          AND s.question_id IS NOT NULL AND s.created_by IS NULL
    ) THEN
        RAISE EXCEPTION 'not an answer of this storyteller' USING ERRCODE = '42501';
    END IF;
    INSERT INTO jobs (kind, payload) VALUES ('answer_notice', jsonb_build_object('story_id', p_story_id))
    RETURNING id INTO job_id;
    RETURN job_id;
END;
$$;
REVOKE ALL ON FUNCTION enqueue_answer_notice(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_answer_notice(UUID) TO storyteller;
