//! Members: the family page, roles, permissions, deactivating, leaving, transferring
//! ownership. Owner actions run as the user (RLS applies). Invitations are in `invitations`.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::family::{Family, MemberStatus, MemberView, Permissions};
use crate::model::Role;
use crate::server::authz::CampaignAccess;

pub async fn family(tx: &mut UserTx, access: &CampaignAccess) -> Result<Family, AppError> {
    let title = sqlx::query_scalar!("SELECT title FROM campaigns WHERE id = $1", access.campaign_id())
        .fetch_one(tx.conn())
        .await?;
    let owner = access.role() == Role::Owner;
    let may_invite = access.permissions().can_invite; // the page shows it even when archived
    let rows = sqlx::query!(
        r#"SELECT fm.id, coalesce(u.name, fm.name) AS name, fm.email, fm.relationship,
                  coalesce(fm.role, 'contributor') AS "role!", coalesce(fm.status, 'invited') AS "status!",
                  coalesce(fm.permissions, '{}') AS "permissions!", fm.invited_at AS "invited_at: DateTime<Utc>",
                  fm.joined_at AS "joined_at: DateTime<Utc>", fm.user_id = auth.uid() AS "is_me?"
           FROM family_members fm LEFT JOIN users u ON u.id = fm.user_id
           WHERE fm.campaign_id = $1
           ORDER BY role_rank(fm.role) DESC, fm.status, coalesce(u.name, fm.name, fm.email)"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    let members = rows
        .into_iter()
        .filter_map(|r| {
            let role = Role::parse(&r.role)?;
            let status = MemberStatus::parse(&r.status)?;
            // Non-owners see the family, not the pending invitations and who left.
            if !(owner || may_invite && status == MemberStatus::Invited) && status != MemberStatus::Active {
                return None;
            }
            Some(MemberView {
                id: r.id,
                name: r.name,
                email: r.email,
                relationship: r.relationship,
                role,
                status,
                permissions: Permissions::for_role(role, &r.permissions),
                invited_at: r.invited_at,
                joined_at: r.joined_at,
                is_me: r.is_me.unwrap_or(false),
            })
        })
        .collect();
    Ok(Family {
        campaign_id: access.campaign_id(),
        campaign_title: title,
        my_role: access.role(),
        may_invite,
        editable: access.is_editable(),
        members,
        email_sends: false,
        notice: None,
    })
}

async fn member(
    tx: &mut UserTx,
    access: &CampaignAccess,
    member_id: Uuid,
) -> Result<(Role, MemberStatus, Option<Uuid>), AppError> {
    let row = sqlx::query!(
        r#"SELECT coalesce(role, 'contributor') AS "role!", coalesce(status, 'invited') AS "status!", user_id
           FROM family_members WHERE id = $1 AND campaign_id = $2"#,
        member_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((
        Role::parse(&row.role).unwrap_or(Role::Viewer),
        MemberStatus::parse(&row.status).unwrap_or(MemberStatus::Invited),
        row.user_id,
    ))
}

fn owner_only(access: &CampaignAccess) -> Result<(), AppError> {
    access.ensure_editable()?;
    if access.role() != Role::Owner {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

pub async fn set_role(tx: &mut UserTx, access: &CampaignAccess, member_id: Uuid, role: Role) -> Result<(), AppError> {
    owner_only(access)?;
    let (current, _, _) = member(tx, access, member_id).await?;
    if current == Role::Owner || role == Role::Owner {
        return Err(AppError::Conflict(
            "The owner's role changes only by transferring ownership to another member.".into(),
        ));
    }
    sqlx::query!("UPDATE family_members SET role = $2 WHERE id = $1", member_id, role.as_str())
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_permissions(
    tx: &mut UserTx,
    access: &CampaignAccess,
    member_id: Uuid,
    granted: Permissions,
) -> Result<(), AppError> {
    owner_only(access)?;
    let (role, _, _) = member(tx, access, member_id).await?;
    if role == Role::Owner {
        return Err(AppError::Conflict("Owners always have every permission.".into()));
    }
    let stored = serde_json::to_value(granted).map_err(|err| {
        tracing::error!(error = %err, "permissions to JSON");
        AppError::Internal
    })?;
    sqlx::query!("UPDATE family_members SET permissions = $2 WHERE id = $1", member_id, stored)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deactivates (or reactivates) a member who has joined.
pub async fn set_active(
    tx: &mut UserTx,
    access: &CampaignAccess,
    member_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    owner_only(access)?;
    let (role, status, user) = member(tx, access, member_id).await?;
    if role == Role::Owner {
        return Err(AppError::Conflict("The owner can't be deactivated; transfer ownership first.".into()));
    }
    if user.is_none() || status == MemberStatus::Invited {
        return Err(AppError::Conflict("This person hasn't joined yet; revoke the invitation instead.".into()));
    }
    sqlx::query!(
        "UPDATE family_members SET status = $2 WHERE id = $1",
        member_id,
        if active { "active" } else { "inactive" }
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The signed-in member leaves the campaign.
pub async fn leave(tx: &mut UserTx, access: &CampaignAccess) -> Result<(), AppError> {
    if access.role() == Role::Owner {
        return Err(AppError::Conflict(
            "As the owner you can't leave: first transfer ownership to another active member.".into(),
        ));
    }
    let left = sqlx::query!(
        "UPDATE family_members SET status = 'inactive' WHERE campaign_id = $1 AND user_id = auth.uid() AND status = 'active'",
        access.campaign_id()
    )
    .execute(tx.conn())
    .await?;
    if left.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Makes another active member the owner; the current owner becomes a contributor. One
/// transaction, so there is always exactly one owner.
pub async fn transfer(tx: &mut UserTx, access: &CampaignAccess, member_id: Uuid) -> Result<(), AppError> {
    owner_only(access)?;
    let (_, status, user) = member(tx, access, member_id).await?;
    let Some(new_owner) = user.filter(|_| status == MemberStatus::Active) else {
        return Err(AppError::Conflict("Ownership can only go to an active member who has joined.".into()));
    };
    if new_owner == access.user_id() {
        return Err(AppError::Conflict("You are already the owner.".into()));
    }
    // Order matters: each statement is checked by RLS while the caller is still the owner.
    sqlx::query!(
        "UPDATE campaigns SET user_id = $2, updated_at = NOW() WHERE id = $1",
        access.campaign_id(),
        new_owner
    )
    .execute(tx.conn())
    .await?;
    sqlx::query!("UPDATE family_members SET role = 'owner', permissions = '{}' WHERE id = $1", member_id)
        .execute(tx.conn())
        .await?;
    sqlx::query!(
        "UPDATE family_members SET role = 'contributor' WHERE campaign_id = $1 AND user_id = $2 AND id <> $3",
        access.campaign_id(),
        access.user_id(),
        member_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
