-- The book designer: typed settings live in design_data (validated by the app), the render
-- job's progress and results on the row, and revocable per-story listening links for QR codes.
ALTER TABLE books
    ALTER COLUMN template SET NOT NULL,
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN design_data SET NOT NULL,
    ALTER COLUMN page_count SET NOT NULL,
    ALTER COLUMN story_count SET NOT NULL,
    ALTER COLUMN photo_count SET NOT NULL,
    ALTER COLUMN created_at SET NOT NULL,
    ALTER COLUMN updated_at SET NOT NULL,
    ADD CONSTRAINT books_title_size CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    ADD CONSTRAINT books_template_known CHECK (template IN ('classic', 'modern', 'photo_heavy')),
    -- Every change to the design bumps it; a render remembers the version it typeset.
    ADD COLUMN design_version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN render_status TEXT NOT NULL DEFAULT 'none'
        CHECK (render_status IN ('none', 'queued', 'rendering', 'done', 'failed')),
    ADD COLUMN render_stage TEXT,
    ADD COLUMN render_progress INTEGER NOT NULL DEFAULT 0 CHECK (render_progress BETWEEN 0 AND 100),
    ADD COLUMN render_error TEXT,
    -- render_id names the stored files of the last finished render; render_job the one
    -- running (a newer request supersedes it, and the older job stops).
    ADD COLUMN render_id UUID,
    ADD COLUMN render_job UUID,
    ADD COLUMN rendered_version INTEGER,
    ADD COLUMN rendered_at TIMESTAMPTZ,
    ADD COLUMN cover_pdf_url TEXT,
    -- Findings of the last render's preflight: [{severity, message, story_id, photo_id}].
    ADD COLUMN preflight JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN proofread_by UUID REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN proofread_at TIMESTAMPTZ;

CREATE INDEX idx_books_proofread_by ON books(proofread_by);

-- Members allowed to design books (owners always) create and change them.
ALTER POLICY books_insert ON books
    WITH CHECK (user_id = auth.uid() AND has_campaign_permission(campaign_id, 'can_design_books'));
ALTER POLICY books_update ON books
    USING (has_campaign_permission(campaign_id, 'can_design_books'))
    WITH CHECK (has_campaign_permission(campaign_id, 'can_design_books'));
ALTER POLICY books_delete ON books
    USING (has_campaign_permission(campaign_id, 'can_design_books'));

-- Members have no grant on the job queue; a designer queues the render of their book.
CREATE FUNCTION enqueue_book_render(p_book_id UUID, p_render_job UUID) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    v_campaign UUID;
    v_job BIGINT;
BEGIN
    SELECT campaign_id INTO v_campaign FROM books WHERE id = p_book_id;
    IF v_campaign IS NULL OR NOT has_campaign_permission(v_campaign, 'can_design_books') THEN
        RAISE EXCEPTION 'not allowed to render this book' USING ERRCODE = '42501';
    END IF;
    INSERT INTO jobs (kind, payload, max_attempts)
    VALUES ('render_book', jsonb_build_object('book_id', p_book_id, 'render_job', p_render_job), 2)
    RETURNING id INTO v_job;
    RETURN v_job;
END
$$;
REVOKE ALL ON FUNCTION enqueue_book_render(UUID, UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_book_render(UUID, UUID) TO authenticated;

-- A printed QR code opens one story's recording through one of these. The URL carries the
-- id and an HMAC of it (so it can be printed again on every render); revoking stops it.
CREATE TABLE story_share_links (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    story_id UUID NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX story_share_links_one_active ON story_share_links(story_id) WHERE revoked_at IS NULL;
CREATE INDEX idx_story_share_links_campaign_id ON story_share_links(campaign_id);
CREATE INDEX idx_story_share_links_created_by ON story_share_links(created_by);
GRANT SELECT, INSERT, UPDATE ON story_share_links TO authenticated;
ALTER TABLE story_share_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY story_share_links_select ON story_share_links FOR SELECT
    USING (campaign_id IN (SELECT campaigns_with_role('viewer')));
CREATE POLICY story_share_links_write ON story_share_links FOR ALL
    USING (has_campaign_permission(campaign_id, 'can_design_books'))
    WITH CHECK (has_campaign_permission(campaign_id, 'can_design_books')
                AND EXISTS (SELECT 1 FROM stories s WHERE s.id = story_id AND s.campaign_id = story_share_links.campaign_id));

-- A book checked and marked ready goes back to draft when a story in it changes: what was
-- proofread is no longer what would print. Runs as definer: the story's author may not be
-- allowed to write the book.
CREATE FUNCTION books_back_to_draft() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    UPDATE books SET status = 'draft', proofread_by = NULL, proofread_at = NULL, updated_at = NOW()
    WHERE campaign_id = NEW.campaign_id AND status = 'ready_to_order'
      AND design_data->'stories' @> jsonb_build_array(jsonb_build_object('story_id', NEW.id));
    RETURN NEW;
END
$$;
CREATE TRIGGER stories_books_back_to_draft
    AFTER UPDATE OF title, content ON stories
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.content IS DISTINCT FROM NEW.content)
    EXECUTE FUNCTION books_back_to_draft();
