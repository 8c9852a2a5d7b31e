-- Invitations carry single-use tokens; only a SHA-256 of each is stored. A resend makes a
-- new token and revokes the old; used, revoked and expired tokens are kept so their links
-- can say what happened (and whom to ask).
CREATE TABLE invitations (
    token_hash BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    family_member_id UUID REFERENCES family_members(id) ON DELETE SET NULL,
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    invited_by UUID REFERENCES users(id) ON DELETE SET NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_invitations_family_member_id ON invitations(family_member_id);
CREATE INDEX idx_invitations_campaign_id ON invitations(campaign_id);
CREATE INDEX idx_invitations_invited_by ON invitations(invited_by);
-- Looking tokens up and accepting them is the server's own job; members never read them.

-- One invitation per email per campaign: inviting again re-sends.
CREATE UNIQUE INDEX family_members_campaign_email ON family_members (campaign_id, lower(email));

-- Fine-grained permissions (can_invite, can_edit_others_stories, can_design_books): owners
-- have all of them; for others the default is no, and family_members.permissions may grant
-- one (`{"can_invite": true}`). Viewers can only ever be granted can_invite.
CREATE FUNCTION role_permission(p_role TEXT, p_flag TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE
AS $$ SELECT p_role = 'owner' AND p_flag IS NOT NULL $$;

CREATE FUNCTION has_campaign_permission(p_campaign_id UUID, p_flag TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM campaigns c WHERE c.id = p_campaign_id AND c.user_id = auth.uid()
    ) OR EXISTS (
        SELECT 1 FROM family_members fm
        WHERE fm.campaign_id = p_campaign_id AND fm.user_id = auth.uid() AND fm.status = 'active'
          AND (fm.role = 'owner'
               OR (fm.role = 'contributor' AND coalesce((fm.permissions->>p_flag)::boolean, role_permission(fm.role, p_flag)))
               OR (fm.role = 'viewer' AND p_flag = 'can_invite' AND coalesce((fm.permissions->>p_flag)::boolean, false)))
    )
$$;
GRANT EXECUTE ON FUNCTION has_campaign_permission(UUID, TEXT) TO authenticated;

-- Contributors allowed to edit others' stories may do so.
ALTER POLICY stories_update ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor')))
           OR (campaign_id IN (SELECT campaigns_with_role('contributor'))
               AND has_campaign_permission(campaign_id, 'can_edit_others_stories')))
    WITH CHECK (campaign_id IN (SELECT campaigns_with_role('owner'))
           OR (created_by = auth.uid() AND campaign_id IN (SELECT campaigns_with_role('contributor')))
           OR (campaign_id IN (SELECT campaigns_with_role('contributor'))
               AND has_campaign_permission(campaign_id, 'can_edit_others_stories')));

-- Members with can_invite add invited rows (never owners); owners change members.
ALTER POLICY family_members_insert ON family_members
    WITH CHECK (has_campaign_role(campaign_id, 'owner')
                OR (has_campaign_permission(campaign_id, 'can_invite')
                    AND status = 'invited' AND role IN ('contributor', 'viewer')));
-- A member may leave: set their own row inactive.
CREATE POLICY family_members_leave ON family_members FOR UPDATE
    USING (user_id = auth.uid() AND status = 'active' AND role <> 'owner')
    WITH CHECK (user_id = auth.uid() AND status = 'inactive' AND role <> 'owner');

-- Comments and hearts on stories: every member may read and write them.
CREATE TABLE story_comments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    story_id UUID NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_story_comments_story ON story_comments(story_id, created_at);
CREATE INDEX idx_story_comments_user_id ON story_comments(user_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON story_comments TO authenticated;
ALTER TABLE story_comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY story_comments_select ON story_comments FOR SELECT
    USING (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_comments.story_id));
CREATE POLICY story_comments_insert ON story_comments FOR INSERT
    WITH CHECK (user_id = auth.uid() AND EXISTS (SELECT 1 FROM stories s WHERE s.id = story_comments.story_id));
CREATE POLICY story_comments_update ON story_comments FOR UPDATE
    USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
CREATE POLICY story_comments_delete ON story_comments FOR DELETE
    USING (user_id = auth.uid()
           OR EXISTS (SELECT 1 FROM stories s WHERE s.id = story_comments.story_id
                      AND s.campaign_id IN (SELECT campaigns_with_role('owner'))));

CREATE TABLE story_hearts (
    story_id UUID NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (story_id, user_id)
);
CREATE INDEX idx_story_hearts_user_id ON story_hearts(user_id);
GRANT SELECT, INSERT, DELETE ON story_hearts TO authenticated;
ALTER TABLE story_hearts ENABLE ROW LEVEL SECURITY;
CREATE POLICY story_hearts_select ON story_hearts FOR SELECT
    USING (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_hearts.story_id));
CREATE POLICY story_hearts_insert ON story_hearts FOR INSERT
    WITH CHECK (user_id = auth.uid() AND EXISTS (SELECT 1 FROM stories s WHERE s.id = story_hearts.story_id));
CREATE POLICY story_hearts_delete ON story_hearts FOR DELETE USING (user_id = auth.uid());

-- Owners (and members allowed to invite) create and revoke invitations for their campaign.
GRANT SELECT, INSERT, UPDATE ON invitations TO authenticated;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY invitations_select ON invitations FOR SELECT
    USING (has_campaign_role(campaign_id, 'owner') OR has_campaign_permission(campaign_id, 'can_invite'));
CREATE POLICY invitations_insert ON invitations FOR INSERT
    WITH CHECK (invited_by = auth.uid()
                AND (has_campaign_role(campaign_id, 'owner') OR has_campaign_permission(campaign_id, 'can_invite')));
CREATE POLICY invitations_update ON invitations FOR UPDATE
    USING (has_campaign_role(campaign_id, 'owner') OR has_campaign_permission(campaign_id, 'can_invite'))
    WITH CHECK (has_campaign_role(campaign_id, 'owner') OR has_campaign_permission(campaign_id, 'can_invite'));

-- Members have no grant on the job queue; mail is queued through this, in the same
-- transaction as whatever it announces.
CREATE FUNCTION enqueue_mail(p_mail JSONB) RETURNS BIGINT
LANGUAGE sql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    INSERT INTO jobs (kind, payload, max_attempts) VALUES ('mail', p_mail, 12) RETURNING id
$$;
REVOKE ALL ON FUNCTION enqueue_mail(JSONB) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_mail(JSONB) TO authenticated;

-- When a story was (last) marked completed: for the weekly digest of finished stories.
ALTER TABLE stories ADD COLUMN completed_at TIMESTAMPTZ;
CREATE INDEX idx_stories_completed_at ON stories(completed_at) WHERE completed_at IS NOT NULL;
