CREATE TABLE stories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    content TEXT,
    word_count INTEGER,
    category TEXT,
    story_order INTEGER,
    status TEXT DEFAULT 'draft' CHECK (status IN ('draft', 'completed', 'reviewed')),
    audio_url TEXT,
    audio_duration INTEGER,
    transcription TEXT,
    photos TEXT[] DEFAULT '{}',
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_stories_campaign_id ON stories(campaign_id);
CREATE INDEX idx_stories_status ON stories(status);
CREATE INDEX idx_stories_category ON stories(category);

GRANT SELECT, INSERT, UPDATE, DELETE ON stories TO authenticated;
