CREATE TABLE family_members (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    email TEXT NOT NULL,
    name TEXT,
    relationship TEXT,
    role TEXT DEFAULT 'contributor' CHECK (role IN ('owner', 'contributor', 'viewer')),
    status TEXT DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'inactive')),
    invited_by UUID REFERENCES users(id) ON DELETE SET NULL,
    invited_at TIMESTAMPTZ DEFAULT NOW(),
    joined_at TIMESTAMPTZ,
    permissions JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_family_members_campaign_id ON family_members(campaign_id);
CREATE INDEX idx_family_members_user_id ON family_members(user_id);
CREATE INDEX idx_family_members_email ON family_members(email);
CREATE INDEX idx_family_members_invited_by ON family_members(invited_by);

GRANT SELECT, INSERT, UPDATE, DELETE ON family_members TO authenticated;
