-- The policies of 20261125000007 call has_campaign_role() once per row, which made reading
-- 10,000 stories cost 10,000 membership look-ups (over a second for one dashboard). Here the
-- caller's campaigns are listed once per statement (an uncorrelated, hashed subquery).
CREATE FUNCTION campaigns_with_role(p_min_role TEXT) RETURNS SETOF UUID
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT c.id FROM campaigns c
    WHERE c.user_id = auth.uid() AND role_rank(p_min_role) > 0
    UNION
    SELECT fm.campaign_id FROM family_members fm
    WHERE fm.user_id = auth.uid() AND fm.status = 'active'
      AND role_rank(p_min_role) > 0 AND role_rank(fm.role) >= role_rank(p_min_role)
$$;
GRANT EXECUTE ON FUNCTION campaigns_with_role(TEXT) TO authenticated;

ALTER POLICY campaigns_select ON campaigns
    USING (user_id = auth.uid() OR id IN (SELECT campaigns_with_role('viewer')));

ALTER POLICY stories_select ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('viewer')));
ALTER POLICY stories_update ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('contributor')))
    WITH CHECK (campaign_id IN (SELECT campaigns_with_role('contributor')));
ALTER POLICY stories_delete ON stories
    USING (campaign_id IN (SELECT campaigns_with_role('contributor')));

ALTER POLICY family_members_select ON family_members
    USING (campaign_id IN (SELECT campaigns_with_role('viewer')) OR user_id = auth.uid());

ALTER POLICY books_select ON books
    USING (campaign_id IN (SELECT campaigns_with_role('viewer')));

ALTER POLICY photos_select ON photos
    USING (user_id = auth.uid() OR campaign_id IN (SELECT campaigns_with_role('viewer')));
