-- Leaving: a person asks to delete their account, and seven days later, unless they log in
-- again, a job deletes it. Until then the request is kept here (server-only columns:
-- members may update only name, avatar_url, preferences and updated_at).
ALTER TABLE users ADD COLUMN deletion_requested_at TIMESTAMPTZ, ADD COLUMN delete_after TIMESTAMPTZ;
ALTER TABLE users ADD CONSTRAINT users_deletion_requested_together
    CHECK ((deletion_requested_at IS NULL) = (delete_after IS NULL));
CREATE INDEX idx_users_delete_after ON users(delete_after) WHERE delete_after IS NOT NULL;

-- A story whose author deleted their account stays with the family, shown as by a former
-- member (an author-less answer to a question is otherwise the storyteller's).
ALTER TABLE stories ADD COLUMN author_left_at TIMESTAMPTZ;

-- Orders are financial records: they outlive the account and the book, reduced to what the
-- law asks us to keep.
ALTER TABLE book_orders ALTER COLUMN user_id DROP NOT NULL, ALTER COLUMN book_id DROP NOT NULL;
ALTER TABLE book_orders DROP CONSTRAINT book_orders_user_id_fkey,
    ADD CONSTRAINT book_orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE book_orders DROP CONSTRAINT book_orders_book_id_fkey,
    ADD CONSTRAINT book_orders_book_id_fkey FOREIGN KEY (book_id) REFERENCES books(id) ON DELETE SET NULL;
