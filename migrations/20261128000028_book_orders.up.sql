-- Ordering printed books: what was ordered (options, price, a snapshot of the files), its
-- lifecycle with a history, the person's address book, and staff who fulfil orders.

-- Staff run the fulfilment console (/admin). Only the operator grants it (a CLI command);
-- members may not update this column (migration 25 limits their UPDATE grant).
ALTER TABLE users ADD COLUMN is_staff BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE book_orders DROP CONSTRAINT book_orders_status_check;
ALTER TABLE book_orders
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN ordered_at SET NOT NULL,
    ALTER COLUMN book_options SET NOT NULL,
    ADD CONSTRAINT book_orders_status_check
        CHECK (status IN ('pending', 'processing', 'printed', 'shipped', 'delivered', 'cancelled')),
    ADD CONSTRAINT book_orders_quantity_limit CHECK (quantity BETWEEN 1 AND 100),
    -- A double click, a retry or a refresh sends the same key: one order.
    ADD COLUMN idempotency_key UUID UNIQUE,
    ADD COLUMN campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL,
    ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    -- The line items shown before confirming: [{label, amount}].
    ADD COLUMN price_lines JSONB NOT NULL DEFAULT '[]',
    -- What prints: the book as it was when ordered (files copied under orders/<id>/).
    ADD COLUMN book_title TEXT,
    ADD COLUMN page_count INTEGER,
    ADD COLUMN design_version INTEGER,
    ADD COLUMN contact_email TEXT,
    ADD COLUMN carrier TEXT,
    ADD COLUMN tracking_url TEXT,
    ADD COLUMN cancel_reason TEXT,
    ADD COLUMN provider TEXT NOT NULL DEFAULT 'manual',
    ADD COLUMN provider_job_id TEXT,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW();
CREATE INDEX idx_book_orders_campaign_id ON book_orders(campaign_id);
CREATE INDEX idx_book_orders_status ON book_orders(status, ordered_at DESC);

-- Prices are computed and orders changed only by the server: a member's role may read
-- their own orders (policy book_orders_select) but write none.
REVOKE INSERT, UPDATE, DELETE ON book_orders FROM authenticated;
DROP POLICY book_orders_insert ON book_orders;

CREATE TABLE order_events (
    id BIGSERIAL PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES book_orders(id) ON DELETE CASCADE,
    actor TEXT NOT NULL CHECK (actor IN ('customer', 'staff', 'printer', 'system')),
    actor_user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT CHECK (length(note) <= 2000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_order_events_order_id ON order_events(order_id, id);
CREATE INDEX idx_order_events_actor_user_id ON order_events(actor_user_id);
GRANT SELECT ON order_events TO authenticated;
ALTER TABLE order_events ENABLE ROW LEVEL SECURITY;
-- The history of one's own orders (book_orders' own policy decides which those are).
CREATE POLICY order_events_select ON order_events FOR SELECT
    USING (order_id IN (SELECT id FROM book_orders));

-- The address book: filled by ordering, offered next time.
CREATE TABLE addresses (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    line1 TEXT NOT NULL,
    line2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    phone TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (user_id, name, line1, line2, city, state, postal_code, country, phone)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON addresses TO authenticated;
ALTER TABLE addresses ENABLE ROW LEVEL SECURITY;
CREATE POLICY addresses_own ON addresses FOR ALL
    USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
