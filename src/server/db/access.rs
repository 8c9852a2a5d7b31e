//! The membership row that `CampaignAccess::require` turns into a `CampaignAccess`.
use serde_json::Value;
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;

/// The caller's standing in one campaign, as stored: unparsed, since deciding what it
/// allows is [`CampaignAccess::require`](crate::server::authz::CampaignAccess::require)'s job.
pub struct Membership {
    /// The caller's role as an active member (`campaign_role`); `None` for anyone else.
    pub role: Option<String>,
    /// The campaign's status; `None` when there is no such campaign.
    pub status: Option<String>,
    /// The caller's active membership's permission overrides.
    pub permissions: Option<Value>,
}

pub async fn membership(tx: &mut UserTx, campaign_id: Uuid) -> Result<Membership, AppError> {
    let row = sqlx::query!(
        r#"SELECT campaign_role($1) AS role, c.status AS "status?",
                      (SELECT fm.permissions FROM family_members fm
                       WHERE fm.campaign_id = $1 AND fm.user_id = auth.uid() AND fm.status = 'active'
                       ORDER BY role_rank(fm.role) DESC LIMIT 1) AS permissions
               FROM (SELECT 1) AS one LEFT JOIN campaigns c ON c.id = $1"#,
        campaign_id
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(Membership { role: row.role, status: row.status, permissions: row.permissions })
}
