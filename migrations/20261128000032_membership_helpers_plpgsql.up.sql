-- The membership helpers were SQL functions. SECURITY DEFINER keeps PostgreSQL from inlining
-- them, so their bodies were planned again in every statement that called them: one
-- campaign_role() call cost about 0.25 ms, five of them (the dashboard's cards) more than the
-- rest of the page's query. As PL/pgSQL their plans are made once per connection.
-- Same arguments, same results.
CREATE OR REPLACE FUNCTION campaign_role(p_campaign_id UUID) RETURNS TEXT
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM campaigns c WHERE c.id = p_campaign_id AND c.user_id = auth.uid()) THEN
        RETURN 'owner';
    END IF;
    RETURN (
        SELECT fm.role FROM family_members fm
        WHERE fm.campaign_id = p_campaign_id AND fm.user_id = auth.uid() AND fm.status = 'active'
        ORDER BY role_rank(fm.role) DESC
        LIMIT 1
    );
END
$$;

CREATE OR REPLACE FUNCTION has_campaign_role(p_campaign_id UUID, p_min_role TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN p_campaign_id IS NOT NULL
       AND role_rank(p_min_role) > 0
       AND role_rank(campaign_role(p_campaign_id)) >= role_rank(p_min_role);
END
$$;

CREATE OR REPLACE FUNCTION has_campaign_permission(p_campaign_id UUID, p_flag TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM campaigns c WHERE c.id = p_campaign_id AND c.user_id = auth.uid()
    ) OR EXISTS (
        SELECT 1 FROM family_members fm
        WHERE fm.campaign_id = p_campaign_id AND fm.user_id = auth.uid() AND fm.status = 'active'
          AND (fm.role = 'owner'
               OR (fm.role = 'contributor' AND coalesce((fm.permissions->>p_flag)::boolean, role_permission(fm.role, p_flag)))
               OR (fm.role = 'viewer' AND p_flag = 'can_invite' AND coalesce((fm.permissions->>p_flag)::boolean, false)))
    );
END
$$;

CREATE OR REPLACE FUNCTION shares_campaign_with(p_user_id UUID) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM family_members fm
        WHERE fm.user_id = p_user_id AND fm.status = 'active'
          AND has_campaign_role(fm.campaign_id, 'viewer')
    ) OR EXISTS (
        SELECT 1 FROM campaigns c
        WHERE c.user_id = p_user_id AND has_campaign_role(c.id, 'viewer')
    );
END
$$;

CREATE OR REPLACE FUNCTION campaign_has_orders(p_campaign_id UUID) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN has_campaign_role(p_campaign_id, 'viewer') AND EXISTS (
        SELECT 1 FROM book_orders o JOIN books b ON b.id = o.book_id
        WHERE b.campaign_id = p_campaign_id
    );
END
$$;

CREATE OR REPLACE FUNCTION storyteller_next_story_order() RETURNS INTEGER
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(max(story_order), 0) + 1 FROM stories WHERE campaign_id = storyteller_campaign());
END
$$;
