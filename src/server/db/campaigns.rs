//! Campaign queries. Every one that touches a single campaign takes a [`CampaignAccess`].
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::campaign::{Member, StorySummary};
use crate::model::{CampaignCard, CampaignInput, CampaignOverview, CampaignStatus, Relationship, Role};
use crate::server::authz::CampaignAccess;

/// Creates a campaign owned by the user, who also becomes its first (owner) member.
pub async fn create(tx: &mut UserTx, input: &CampaignInput) -> Result<Uuid, AppError> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO campaigns (user_id, title, description, storyteller_name, storyteller_email,
                                  relationship_type, goal_stories, status, started_at)
           VALUES (auth.uid(), $1, $2, $3, $4, $5, $6, 'active', NOW())
           RETURNING id"#,
        input.title,
        input.description,
        input.storyteller_name,
        input.storyteller_email,
        input.relationship_type.map(Relationship::as_str),
        input.goal_stories,
    )
    .fetch_one(tx.conn())
    .await?;
    sqlx::query!(
        r#"INSERT INTO family_members (campaign_id, user_id, email, name, role, status, invited_by, joined_at)
           SELECT $1, u.id, u.email, u.name, 'owner', 'active', u.id, NOW()
           FROM users u WHERE u.id = auth.uid()"#,
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// The dashboard: every campaign the user may see, newest activity first, in one statement.
pub async fn dashboard(tx: &mut UserTx, status: Option<CampaignStatus>) -> Result<Vec<CampaignCard>, AppError> {
    let rows = sqlx::query_as!(
        CardRow,
        // campaign_role() and the campaign_stats view, spelled out: the function ran two
        // statements per card, and the view read the campaigns (and their policy) again.
        r#"SELECT c.id, c.title, c.storyteller_name,
                  CASE WHEN c.user_id = auth.uid() THEN 'owner'
                       ELSE (SELECT fm.role FROM family_members fm
                             WHERE fm.campaign_id = c.id AND fm.user_id = auth.uid() AND fm.status = 'active'
                             ORDER BY role_rank(fm.role) DESC LIMIT 1)
                  END AS "role!",
                  coalesce(c.status, 'active') AS "status!",
                  coalesce(c.goal_stories, 10) AS "goal_stories!",
                  coalesce(t.story_count, 0) AS "story_count!",
                  coalesce(t.total_words, 0) AS "total_words!",
                  t.latest_story_date AS "latest_story_date: DateTime<Utc>"
           FROM campaigns c
           LEFT JOIN campaign_story_totals t ON t.campaign_id = c.id
           WHERE ($1::text IS NULL OR c.status = $1)
           ORDER BY GREATEST(c.updated_at, t.latest_story_date) DESC NULLS LAST, c.created_at DESC"#,
        status.map(CampaignStatus::as_str),
    )
    .fetch_all(tx.conn())
    .await?;
    rows.into_iter().map(CardRow::into_card).collect()
}

/// One campaign's card. Its own statement, not the dashboard's with a `$1 IS NULL OR`
/// filter: PostgreSQL caches one generic plan per statement, and the dashboard's would
/// scan every story the user may see for a single campaign.
async fn card(tx: &mut UserTx, access: &CampaignAccess) -> Result<CampaignCard, AppError> {
    let row = sqlx::query_as!(
        CardRow,
        // The role is the one `access` was granted with (the dashboard's query finds each).
        r#"SELECT c.id, c.title, c.storyteller_name,
                  $2::text AS "role!",
                  coalesce(c.status, 'active') AS "status!",
                  coalesce(c.goal_stories, 10) AS "goal_stories!",
                  coalesce(t.story_count, 0) AS "story_count!",
                  coalesce(t.total_words, 0) AS "total_words!",
                  t.latest_story_date AS "latest_story_date: DateTime<Utc>"
           FROM campaigns c
           LEFT JOIN campaign_story_totals t ON t.campaign_id = c.id
           WHERE c.id = $1"#,
        access.campaign_id(),
        access.role().as_str(),
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    row.into_card()
}

struct CardRow {
    id: Uuid,
    title: String,
    storyteller_name: Option<String>,
    role: String,
    status: String,
    goal_stories: i32,
    story_count: i64,
    total_words: i64,
    latest_story_date: Option<DateTime<Utc>>,
}

impl CardRow {
    fn into_card(self) -> Result<CampaignCard, AppError> {
        Ok(CampaignCard {
            id: self.id,
            title: self.title,
            storyteller_name: self.storyteller_name,
            role: Role::parse(&self.role).ok_or(AppError::Internal)?,
            status: CampaignStatus::parse(&self.status).ok_or(AppError::Internal)?,
            goal_stories: self.goal_stories,
            story_count: self.story_count,
            total_words: self.total_words,
            latest_story_date: self.latest_story_date,
        })
    }
}

pub async fn overview(tx: &mut UserTx, access: &CampaignAccess) -> Result<CampaignOverview, AppError> {
    let id = access.campaign_id();
    let card = card(tx, access).await?;
    let details = sqlx::query!(
        r#"SELECT description, storyteller_email, relationship_type,
                  started_at AS "started_at: DateTime<Utc>",
                  campaign_has_orders(id) AS "has_orders!"
           FROM campaigns WHERE id = $1"#,
        id
    )
    .fetch_one(tx.conn())
    .await?;
    let recent_stories = sqlx::query!(
        r#"SELECT id, title, coalesce(word_count, 0) AS "word_count!",
                  updated_at AS "updated_at: DateTime<Utc>"
           FROM stories WHERE campaign_id = $1
           ORDER BY updated_at DESC NULLS LAST LIMIT 5"#,
        id
    )
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .map(|r| StorySummary { id: r.id, title: r.title, word_count: r.word_count, updated_at: r.updated_at })
    .collect();
    let members = sqlx::query!(
        r#"SELECT coalesce(u.name, fm.name, fm.email) AS "name!", fm.email, coalesce(fm.role, 'viewer') AS "role!"
           FROM family_members fm LEFT JOIN users u ON u.id = fm.user_id
           WHERE fm.campaign_id = $1 AND fm.status = 'active'
           ORDER BY role_rank(fm.role) DESC, fm.joined_at NULLS LAST"#,
        id
    )
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .filter_map(|r| Some(Member { name: r.name, email: r.email, role: Role::parse(&r.role)? }))
    .collect();
    Ok(CampaignOverview {
        card,
        description: details.description,
        storyteller_email: details.storyteller_email,
        relationship_type: details.relationship_type.as_deref().and_then(Relationship::parse),
        started_at: details.started_at,
        recent_stories,
        members,
        has_orders: details.has_orders,
    })
}

pub async fn update(tx: &mut UserTx, access: &CampaignAccess, input: &CampaignInput) -> Result<(), AppError> {
    access.ensure_editable()?;
    sqlx::query!(
        r#"UPDATE campaigns
           SET title = $2, description = $3, storyteller_name = $4, storyteller_email = $5,
               relationship_type = $6, goal_stories = $7, updated_at = NOW()
           WHERE id = $1"#,
        access.campaign_id(),
        input.title,
        input.description,
        input.storyteller_name,
        input.storyteller_email,
        input.relationship_type.map(Relationship::as_str),
        input.goal_stories,
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn status(tx: &mut UserTx, access: &CampaignAccess) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar!("SELECT status FROM campaigns WHERE id = $1", access.campaign_id())
        .fetch_one(tx.conn())
        .await?)
}

/// Moves the campaign through its lifecycle; `started_at` is set when it first becomes active.
pub async fn set_status(tx: &mut UserTx, access: &CampaignAccess, status: CampaignStatus) -> Result<(), AppError> {
    sqlx::query!(
        r#"UPDATE campaigns
           SET status = $2, updated_at = NOW(),
               started_at = coalesce(started_at, CASE WHEN $2 = 'active' THEN NOW() END)
           WHERE id = $1"#,
        access.campaign_id(),
        status.as_str(),
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes the campaign and everything beneath it, unless books were ordered from it.
pub async fn delete(tx: &mut UserTx, access: &CampaignAccess, confirm_title: &str) -> Result<(), AppError> {
    let id = access.campaign_id();
    let row =
        sqlx::query!(r#"SELECT title, campaign_has_orders(id) AS "has_orders!" FROM campaigns WHERE id = $1"#, id)
            .fetch_one(tx.conn())
            .await?;
    if row.has_orders {
        return Err(AppError::Conflict(
            "Books have been ordered from this campaign, and orders are kept as records, so it \
             can't be deleted. You can archive it instead."
                .into(),
        ));
    }
    if confirm_title.trim() != row.title {
        return Err(AppError::invalid(
            "confirm_title",
            "Please type the campaign's title exactly as shown to confirm.",
        ));
    }
    // The seed detaches photos (ON DELETE SET NULL); a deleted campaign must leave none behind.
    sqlx::query!("DELETE FROM photos WHERE campaign_id = $1", id).execute(tx.conn()).await?;
    sqlx::query!("DELETE FROM campaigns WHERE id = $1", id).execute(tx.conn()).await?;
    Ok(())
}
