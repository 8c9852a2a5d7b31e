CREATE TABLE campaigns (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    storyteller_name TEXT,
    relationship_type TEXT
        CHECK (relationship_type IN ('parent', 'grandparent', 'spouse', 'other')),
    status TEXT DEFAULT 'active'
        CHECK (status IN ('active', 'completed', 'paused', 'archived')),
    -- The seed divides by this in campaign_stats; zero or negative goals make no sense.
    goal_stories INTEGER DEFAULT 10 CHECK (goal_stories >= 1),
    total_prompts INTEGER DEFAULT 0,
    used_prompts INTEGER DEFAULT 0,
    completion_percentage INTEGER DEFAULT 0,
    started_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_campaigns_user_id ON campaigns(user_id);
CREATE INDEX idx_campaigns_status ON campaigns(status);

GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns TO authenticated;
