CREATE TABLE photos (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id),
    story_id UUID REFERENCES stories(id) ON DELETE SET NULL,
    campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL,
    filename TEXT NOT NULL,
    original_filename TEXT,
    url TEXT NOT NULL,
    thumbnail_url TEXT,
    size_bytes INTEGER,
    width INTEGER,
    height INTEGER,
    mime_type TEXT,
    caption TEXT,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_photos_user_id ON photos(user_id);
CREATE INDEX idx_photos_story_id ON photos(story_id);
CREATE INDEX idx_photos_campaign_id ON photos(campaign_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON photos TO authenticated;
