CREATE TABLE books (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    template TEXT DEFAULT 'classic',
    cover_design TEXT,
    status TEXT DEFAULT 'draft'
        CHECK (status IN ('draft', 'ready_to_order', 'ordered', 'completed')),
    page_count INTEGER DEFAULT 0,
    story_count INTEGER DEFAULT 0,
    photo_count INTEGER DEFAULT 0,
    design_data JSONB DEFAULT '{}',
    preview_url TEXT,
    pdf_url TEXT,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_books_campaign_id ON books(campaign_id);
CREATE INDEX idx_books_user_id ON books(user_id);

CREATE TABLE book_orders (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    book_id UUID NOT NULL REFERENCES books(id),
    user_id UUID NOT NULL REFERENCES users(id),
    quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    unit_price DECIMAL(10,2),
    total_price DECIMAL(10,2),
    shipping_address JSONB NOT NULL,
    book_options JSONB DEFAULT '{}',
    status TEXT DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'printed', 'shipped', 'delivered')),
    order_number TEXT UNIQUE,
    tracking_number TEXT,
    estimated_delivery DATE,
    ordered_at TIMESTAMPTZ DEFAULT NOW(),
    shipped_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ
);

CREATE INDEX idx_book_orders_book_id ON book_orders(book_id);
CREATE INDEX idx_book_orders_user_id ON book_orders(user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON books TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON book_orders TO authenticated;
