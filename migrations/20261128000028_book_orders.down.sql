DROP TABLE addresses;
DROP TABLE order_events;
GRANT INSERT, UPDATE, DELETE ON book_orders TO authenticated;
CREATE POLICY book_orders_insert ON book_orders FOR INSERT
    WITH CHECK (
        user_id = auth.uid()
        AND EXISTS (SELECT 1 FROM books b
                    WHERE b.id = book_id AND has_campaign_role(b.campaign_id, 'owner'))
    );
DROP INDEX idx_book_orders_status;
DROP INDEX idx_book_orders_campaign_id;
DELETE FROM book_orders WHERE status = 'cancelled';
ALTER TABLE book_orders
    DROP CONSTRAINT book_orders_status_check,
    DROP CONSTRAINT book_orders_quantity_limit,
    DROP COLUMN idempotency_key,
    DROP COLUMN campaign_id,
    DROP COLUMN currency,
    DROP COLUMN price_lines,
    DROP COLUMN book_title,
    DROP COLUMN page_count,
    DROP COLUMN design_version,
    DROP COLUMN contact_email,
    DROP COLUMN carrier,
    DROP COLUMN tracking_url,
    DROP COLUMN cancel_reason,
    DROP COLUMN provider,
    DROP COLUMN provider_job_id,
    DROP COLUMN updated_at,
    ALTER COLUMN status DROP NOT NULL,
    ALTER COLUMN ordered_at DROP NOT NULL,
    ALTER COLUMN book_options DROP NOT NULL,
    ADD CONSTRAINT book_orders_status_check
        CHECK (status IN ('pending', 'processing', 'printed', 'shipped', 'delivered'));
ALTER TABLE users DROP COLUMN is_staff;
