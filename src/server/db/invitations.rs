//! Invitations: inviting, re-sending and withdrawing (as the inviter, RLS applies), and
//! looking up and accepting one by its token — the server's own job, since the token is the
//! credential and its holder may not be a member yet; the queries take an
//! [`InvitationToken`], never a bare string.
use base64::Engine;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::family::{InvitationState, InvitationView, InviteInput, INVITATION_DAYS};
use crate::model::Role;
use crate::server::authz::CampaignAccess;

/// A fresh token (256 random bits, URL-safe) and the hash that is stored.
pub fn new_token() -> (String, Vec<u8>) {
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// An invitation link's token, checked for shape and hashed: the only thing the server-role
/// invitation queries take (they run before anyone is a member), never a bare string.
pub struct InvitationToken {
    hash: Vec<u8>,
}

impl InvitationToken {
    /// `None` for anything no invitation link could carry (too long, or not URL-safe).
    pub fn parse(token: &str) -> Option<Self> {
        let shaped = (1..=100).contains(&token.len())
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| Self { hash: token_hash(token) })
    }
}

/// A new invitation link (its token exists only here, then in the email) and what the email
/// says about it.
pub struct NewInvitation {
    pub member_id: Uuid,
    pub token: String,
    pub email: String,
    pub campaign_title: String,
    pub storyteller: Option<String>,
    pub inviter: Option<String>,
    pub role: String,
    pub name: Option<String>,
}

/// Invites someone (or, if they were already invited, re-sends with a new link).
pub async fn invite(tx: &mut UserTx, access: &CampaignAccess, input: &InviteInput) -> Result<NewInvitation, AppError> {
    access.ensure_may_invite_as(input.role)?;
    let existing = sqlx::query!(
        r#"SELECT id, status AS "status!" FROM family_members WHERE campaign_id = $1 AND lower(email) = lower($2)"#,
        access.campaign_id(),
        input.email.as_str()
    )
    .fetch_optional(tx.conn())
    .await?;
    let member_id = match existing {
        Some(m) if m.status == "active" => {
            return Err(AppError::invalid("email", "This person is already a member of the campaign."));
        }
        Some(m) => {
            let updated = sqlx::query!(
                r#"UPDATE family_members
                   SET status = 'invited', role = $2, name = coalesce($3, name), relationship = coalesce($4, relationship),
                       invited_by = auth.uid(), invited_at = NOW(), user_id = CASE WHEN status = 'inactive' THEN user_id END
                   WHERE id = $1"#,
                m.id,
                input.role.as_str(),
                input.name,
                input.relationship
            )
            .execute(tx.conn())
            .await?;
            if updated.rows_affected() == 0 {
                return Err(AppError::Forbidden);
            }
            m.id
        }
        None => sqlx::query_scalar!(
            r#"INSERT INTO family_members (campaign_id, email, name, relationship, role, status, invited_by, invited_at)
               VALUES ($1, $2, $3, $4, $5, 'invited', auth.uid(), NOW()) RETURNING id"#,
            access.campaign_id(),
            input.email.as_str(),
            input.name,
            input.relationship,
            input.role.as_str()
        )
        .fetch_one(tx.conn())
        .await?,
    };
    new_invitation(tx, member_id).await
}

/// A new link for a pending invitation; earlier links stop working.
pub async fn resend(tx: &mut UserTx, access: &CampaignAccess, member_id: Uuid) -> Result<NewInvitation, AppError> {
    access.ensure_may_invite()?;
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status!" FROM family_members WHERE id = $1 AND campaign_id = $2"#,
        member_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if status != "invited" {
        return Err(AppError::Conflict("Only pending invitations can be sent again.".into()));
    }
    new_invitation(tx, member_id).await
}

/// A fresh invitation for a pending member (earlier links revoked): what its email says.
async fn new_invitation(tx: &mut UserTx, member_id: Uuid) -> Result<NewInvitation, AppError> {
    sqlx::query!(
        "UPDATE invitations SET revoked_at = NOW() WHERE family_member_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
        member_id
    )
    .execute(tx.conn())
    .await?;
    let (token, hash) = new_token();
    let details = sqlx::query!(
        r#"INSERT INTO invitations (token_hash, family_member_id, campaign_id, email, invited_by, expires_at)
           SELECT $1, fm.id, fm.campaign_id, fm.email, auth.uid(), NOW() + make_interval(days => $3)
           FROM family_members fm WHERE fm.id = $2
           RETURNING email,
                     (SELECT title FROM campaigns WHERE id = campaign_id) AS "title!",
                     (SELECT storyteller_name FROM campaigns WHERE id = campaign_id) AS storyteller,
                     (SELECT coalesce(name, email) FROM users WHERE id = auth.uid()) AS inviter,
                     (SELECT role FROM family_members WHERE id = $2) AS role,
                     (SELECT name FROM family_members WHERE id = $2) AS name"#,
        hash,
        member_id,
        INVITATION_DAYS as i32
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(NewInvitation {
        member_id,
        token,
        email: details.email,
        campaign_title: details.title,
        storyteller: details.storyteller,
        inviter: details.inviter,
        role: details.role.unwrap_or_default(),
        name: details.name,
    })
}

/// Withdraws a pending invitation: its links stop working and the row goes away.
pub async fn revoke(tx: &mut UserTx, access: &CampaignAccess, member_id: Uuid) -> Result<(), AppError> {
    access.ensure_may_invite()?;
    sqlx::query!(
        "UPDATE invitations SET revoked_at = NOW() WHERE family_member_id = $1 AND campaign_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
        member_id,
        access.campaign_id()
    )
    .execute(tx.conn())
    .await?;
    let deleted = sqlx::query!(
        "DELETE FROM family_members WHERE id = $1 AND campaign_id = $2 AND status = 'invited'",
        member_id,
        access.campaign_id()
    )
    .execute(tx.conn())
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What an invitation link shows, to anyone holding it.
pub async fn invitation(db: &Db, token: &InvitationToken) -> Result<InvitationView, AppError> {
    let row = sqlx::query!(
        r#"SELECT i.campaign_id, c.title, c.storyteller_name, u.name AS "inviter?", u.email AS "inviter_email?",
                  i.email, coalesce(fm.role, 'contributor') AS "role!", i.expires_at AS "expires_at: DateTime<Utc>",
                  i.used_at IS NOT NULL AS "used!", i.revoked_at IS NOT NULL OR fm.id IS NULL AS "revoked!",
                  i.expires_at < NOW() AS "expired!"
           FROM invitations i JOIN campaigns c ON c.id = i.campaign_id
           LEFT JOIN family_members fm ON fm.id = i.family_member_id
           LEFT JOIN users u ON u.id = i.invited_by
           WHERE i.token_hash = $1"#,
        token.hash
    )
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let state = if row.used {
        InvitationState::Used
    } else if row.revoked {
        InvitationState::Revoked
    } else if row.expired {
        InvitationState::Expired
    } else {
        InvitationState::Open
    };
    Ok(InvitationView {
        state,
        campaign_id: row.campaign_id,
        campaign_title: row.title,
        storyteller_name: row.storyteller_name,
        invited_by: row.inviter,
        invited_by_email: row.inviter_email,
        email: row.email,
        role: Role::parse(&row.role).unwrap_or(Role::Viewer),
        expires_at: row.expires_at,
    })
}

/// Joins `user_id` to the invitation's campaign: user linked, status active, joined_at set,
/// the token used up — all or nothing. Returns the campaign.
pub async fn accept(db: &Db, token: &InvitationToken, user_id: Uuid) -> Result<Uuid, AppError> {
    let mut tx = db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT i.campaign_id, i.family_member_id, i.used_at IS NOT NULL AS "used!",
                  i.revoked_at IS NOT NULL AS "revoked!", i.expires_at < NOW() AS "expired!",
                  fm.status AS "status?"
           FROM invitations i LEFT JOIN family_members fm ON fm.id = i.family_member_id
           WHERE i.token_hash = $1
           FOR UPDATE OF i"#,
        token.hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let refused = |why: &str| Err(AppError::Conflict(why.to_owned()));
    if row.used {
        return refused("This invitation has already been used.");
    }
    let Some(member_id) = row.family_member_id.filter(|_| !row.revoked && row.status.as_deref() == Some("invited"))
    else {
        return refused("This invitation was withdrawn or replaced by a newer one.");
    };
    if row.expired {
        return refused("This invitation has expired.");
    }
    // Someone who is (or was) in the campaign keeps their one membership row.
    let existing = sqlx::query!(
        r#"SELECT id, status AS "status!" FROM family_members WHERE campaign_id = $1 AND user_id = $2 AND id <> $3"#,
        row.campaign_id,
        user_id,
        member_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let owns = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = $1 AND user_id = $2) AS "owns!""#,
        row.campaign_id,
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    match existing {
        Some(_) if owns => {
            sqlx::query!("DELETE FROM family_members WHERE id = $1", member_id).execute(&mut *tx).await?;
        }
        Some(previous) => {
            if previous.status != "active" {
                sqlx::query!(
                    r#"UPDATE family_members SET status = 'active', joined_at = NOW(),
                           role = (SELECT role FROM family_members WHERE id = $2)
                       WHERE id = $1"#,
                    previous.id,
                    member_id
                )
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query!("DELETE FROM family_members WHERE id = $1", member_id).execute(&mut *tx).await?;
        }
        None => {
            sqlx::query!(
                "UPDATE family_members SET user_id = $2, status = 'active', joined_at = NOW() WHERE id = $1",
                member_id,
                user_id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query!("UPDATE invitations SET used_at = NOW() WHERE token_hash = $1", token.hash).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(row.campaign_id)
}
