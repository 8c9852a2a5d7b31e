ALTER POLICY family_members_insert ON family_members
    WITH CHECK (has_campaign_role(campaign_id, 'owner')
                OR (has_campaign_permission(campaign_id, 'can_invite')
                    AND status = 'invited'
                    AND role = ANY (ARRAY['contributor', 'viewer'])));
