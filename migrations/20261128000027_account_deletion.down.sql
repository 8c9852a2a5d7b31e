DELETE FROM book_orders WHERE user_id IS NULL OR book_id IS NULL;
ALTER TABLE book_orders DROP CONSTRAINT book_orders_book_id_fkey,
    ADD CONSTRAINT book_orders_book_id_fkey FOREIGN KEY (book_id) REFERENCES books(id);
ALTER TABLE book_orders DROP CONSTRAINT book_orders_user_id_fkey,
    ADD CONSTRAINT book_orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE book_orders ALTER COLUMN user_id SET NOT NULL, ALTER COLUMN book_id SET NOT NULL;
ALTER TABLE stories DROP COLUMN author_left_at;
DROP INDEX idx_users_delete_after;
ALTER TABLE users DROP CONSTRAINT users_deletion_requested_together;
ALTER TABLE users DROP COLUMN deletion_requested_at, DROP COLUMN delete_after;
