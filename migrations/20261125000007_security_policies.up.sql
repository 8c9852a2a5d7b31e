-- Row-level security. The seed's campaigns and family_members policies referenced each
-- other and Postgres rejects that ("infinite recursion detected in policy"); these policies
-- ask SECURITY DEFINER helpers instead, which read membership without re-entering RLS.

CREATE FUNCTION role_rank(p_role TEXT) RETURNS INTEGER
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE p_role WHEN 'owner' THEN 3 WHEN 'contributor' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END
$$;

-- The caller's role in a campaign: 'owner', 'contributor', 'viewer', or NULL when the caller
-- is not an active member (invited-only and inactive members have no role).
CREATE FUNCTION campaign_role(p_campaign_id UUID) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM campaigns c WHERE c.id = p_campaign_id AND c.user_id = auth.uid())
            THEN 'owner'
        ELSE (
            SELECT fm.role FROM family_members fm
            WHERE fm.campaign_id = p_campaign_id AND fm.user_id = auth.uid() AND fm.status = 'active'
            ORDER BY role_rank(fm.role) DESC
            LIMIT 1
        )
    END
$$;

CREATE FUNCTION has_campaign_role(p_campaign_id UUID, p_min_role TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT p_campaign_id IS NOT NULL
       AND role_rank(p_min_role) > 0
       AND role_rank(campaign_role(p_campaign_id)) >= role_rank(p_min_role)
$$;

-- Whether the caller and another user are both in some campaign the caller can see, so
-- family members can see each other's names.
CREATE FUNCTION shares_campaign_with(p_user_id UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM family_members fm
        WHERE fm.user_id = p_user_id AND fm.status = 'active'
          AND has_campaign_role(fm.campaign_id, 'viewer')
    ) OR EXISTS (
        SELECT 1 FROM campaigns c
        WHERE c.user_id = p_user_id AND has_campaign_role(c.id, 'viewer')
    )
$$;

GRANT EXECUTE ON FUNCTION role_rank(TEXT), campaign_role(UUID), has_campaign_role(UUID, TEXT),
    shares_campaign_with(UUID) TO authenticated;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_select ON users FOR SELECT
    USING (id = auth.uid() OR shares_campaign_with(id));
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK (id = auth.uid());
CREATE POLICY users_update ON users FOR UPDATE
    USING (id = auth.uid()) WITH CHECK (id = auth.uid());
CREATE POLICY users_delete ON users FOR DELETE USING (id = auth.uid());

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
-- user_id = auth.uid() lets INSERT … RETURNING see the row the helper cannot see yet.
CREATE POLICY campaigns_select ON campaigns FOR SELECT
    USING (user_id = auth.uid() OR has_campaign_role(id, 'viewer'));
CREATE POLICY campaigns_insert ON campaigns FOR INSERT WITH CHECK (user_id = auth.uid());
CREATE POLICY campaigns_update ON campaigns FOR UPDATE
    USING (has_campaign_role(id, 'owner')) WITH CHECK (has_campaign_role(id, 'owner'));
CREATE POLICY campaigns_delete ON campaigns FOR DELETE USING (has_campaign_role(id, 'owner'));

ALTER TABLE stories ENABLE ROW LEVEL SECURITY;
CREATE POLICY stories_select ON stories FOR SELECT
    USING (has_campaign_role(campaign_id, 'viewer'));
CREATE POLICY stories_insert ON stories FOR INSERT
    WITH CHECK (has_campaign_role(campaign_id, 'contributor'));
CREATE POLICY stories_update ON stories FOR UPDATE
    USING (has_campaign_role(campaign_id, 'contributor'))
    WITH CHECK (has_campaign_role(campaign_id, 'contributor'));
CREATE POLICY stories_delete ON stories FOR DELETE
    USING (has_campaign_role(campaign_id, 'contributor'));

ALTER TABLE family_members ENABLE ROW LEVEL SECURITY;
-- An invited person may see their own invitation before joining; nothing else.
CREATE POLICY family_members_select ON family_members FOR SELECT
    USING (has_campaign_role(campaign_id, 'viewer') OR user_id = auth.uid());
CREATE POLICY family_members_insert ON family_members FOR INSERT
    WITH CHECK (has_campaign_role(campaign_id, 'owner'));
CREATE POLICY family_members_update ON family_members FOR UPDATE
    USING (has_campaign_role(campaign_id, 'owner'))
    WITH CHECK (has_campaign_role(campaign_id, 'owner'));
CREATE POLICY family_members_delete ON family_members FOR DELETE
    USING (has_campaign_role(campaign_id, 'owner'));

ALTER TABLE books ENABLE ROW LEVEL SECURITY;
CREATE POLICY books_select ON books FOR SELECT
    USING (has_campaign_role(campaign_id, 'viewer'));
CREATE POLICY books_insert ON books FOR INSERT
    WITH CHECK (user_id = auth.uid() AND has_campaign_role(campaign_id, 'owner'));
CREATE POLICY books_update ON books FOR UPDATE
    USING (has_campaign_role(campaign_id, 'owner'))
    WITH CHECK (has_campaign_role(campaign_id, 'owner'));
CREATE POLICY books_delete ON books FOR DELETE
    USING (has_campaign_role(campaign_id, 'owner'));

ALTER TABLE book_orders ENABLE ROW LEVEL SECURITY;
-- Orders are financial records: the orderer sees and places them; status changes and
-- cancellations happen server-side (fulfilment), never as a member's direct write.
CREATE POLICY book_orders_select ON book_orders FOR SELECT USING (user_id = auth.uid());
CREATE POLICY book_orders_insert ON book_orders FOR INSERT
    WITH CHECK (
        user_id = auth.uid()
        AND EXISTS (SELECT 1 FROM books b
                    WHERE b.id = book_id AND has_campaign_role(b.campaign_id, 'owner'))
    );

ALTER TABLE photos ENABLE ROW LEVEL SECURITY;
CREATE POLICY photos_select ON photos FOR SELECT
    USING (user_id = auth.uid() OR has_campaign_role(campaign_id, 'viewer'));
CREATE POLICY photos_insert ON photos FOR INSERT
    WITH CHECK (user_id = auth.uid() AND has_campaign_role(campaign_id, 'contributor'));
CREATE POLICY photos_update ON photos FOR UPDATE
    USING ((user_id = auth.uid() AND has_campaign_role(campaign_id, 'contributor'))
           OR has_campaign_role(campaign_id, 'owner'))
    WITH CHECK (has_campaign_role(campaign_id, 'contributor'));
CREATE POLICY photos_delete ON photos FOR DELETE
    USING ((user_id = auth.uid() AND has_campaign_role(campaign_id, 'contributor'))
           OR has_campaign_role(campaign_id, 'owner'));
