DROP TRIGGER stories_books_back_to_draft ON stories;
DROP FUNCTION books_back_to_draft();
DROP TABLE story_share_links;
DROP INDEX idx_books_proofread_by;
DROP FUNCTION enqueue_book_render(UUID, UUID);
ALTER POLICY books_insert ON books
    WITH CHECK (user_id = auth.uid() AND has_campaign_role(campaign_id, 'owner'));
ALTER POLICY books_update ON books
    USING (has_campaign_role(campaign_id, 'owner'))
    WITH CHECK (has_campaign_role(campaign_id, 'owner'));
ALTER POLICY books_delete ON books
    USING (has_campaign_role(campaign_id, 'owner'));
ALTER TABLE books
    DROP CONSTRAINT books_title_size,
    DROP CONSTRAINT books_template_known,
    DROP COLUMN design_version,
    DROP COLUMN render_status,
    DROP COLUMN render_stage,
    DROP COLUMN render_progress,
    DROP COLUMN render_error,
    DROP COLUMN render_id,
    DROP COLUMN render_job,
    DROP COLUMN rendered_version,
    DROP COLUMN rendered_at,
    DROP COLUMN cover_pdf_url,
    DROP COLUMN preflight,
    DROP COLUMN proofread_by,
    DROP COLUMN proofread_at,
    ALTER COLUMN template DROP NOT NULL,
    ALTER COLUMN status DROP NOT NULL,
    ALTER COLUMN design_data DROP NOT NULL,
    ALTER COLUMN page_count DROP NOT NULL,
    ALTER COLUMN story_count DROP NOT NULL,
    ALTER COLUMN photo_count DROP NOT NULL,
    ALTER COLUMN created_at DROP NOT NULL,
    ALTER COLUMN updated_at DROP NOT NULL;
