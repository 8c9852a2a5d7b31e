-- A member granted can_invite could invite their own second address with a higher role
-- than their own (a viewer inviting a contributor) and so gain write access. An invitation
-- now carries at most the inviter's own role; owners may still invite anyone.
ALTER POLICY family_members_insert ON family_members
    WITH CHECK (has_campaign_role(campaign_id, 'owner')
                OR (has_campaign_permission(campaign_id, 'can_invite')
                    AND status = 'invited'
                    AND role IN ('contributor', 'viewer')
                    AND role_rank(role) <= role_rank(campaign_role(campaign_id))));
