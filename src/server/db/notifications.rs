//! The queries behind story emails: the finished story and who wants every story (as the
//! member who finished it), and the weekly digest's rows and schedule (as the server).
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::server::authz::CampaignAccess;

pub struct FinishedStory {
    pub title: String,
    pub content: String,
    pub campaign: String,
    pub author: Option<String>,
}

pub async fn finished_story(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
) -> Result<FinishedStory, AppError> {
    let story = sqlx::query!(
        r#"SELECT s.title, coalesce(s.content, '') AS "content!", c.title AS campaign, u.name AS "author?"
           FROM stories s JOIN campaigns c ON c.id = s.campaign_id LEFT JOIN users u ON u.id = s.created_by
           WHERE s.id = $1 AND s.campaign_id = $2"#,
        story_id,
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(FinishedStory { title: story.title, content: story.content, campaign: story.campaign, author: story.author })
}

pub struct Reader {
    pub id: Uuid,
    pub email: String,
}

/// Active members, other than the caller, who want an email for every finished story.
pub async fn readers_of_every_story(tx: &mut UserTx, access: &CampaignAccess) -> Result<Vec<Reader>, AppError> {
    Ok(sqlx::query_as!(
        Reader,
        r#"SELECT DISTINCT u.id, u.email FROM family_members fm JOIN users u ON u.id = fm.user_id
           WHERE fm.campaign_id = $1 AND fm.status = 'active' AND u.id <> auth.uid() AND u.delete_after IS NULL
             AND coalesce(u.preferences->>'story_emails', 'every') = 'every'"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?)
}

pub struct DigestRow {
    pub user_id: Uuid,
    pub email: String,
    pub story_id: Uuid,
    pub title: String,
    pub campaign_id: Uuid,
    pub campaign: String,
}

/// For every weekly reader, the stories finished in the past week in their campaigns.
pub async fn finished_this_week(db: &Db) -> Result<Vec<DigestRow>, sqlx::Error> {
    sqlx::query_as!(
        DigestRow,
        r#"SELECT u.id AS user_id, u.email, s.id AS story_id, s.title, c.id AS campaign_id, c.title AS campaign
           FROM users u
           JOIN family_members fm ON fm.user_id = u.id AND fm.status = 'active'
           JOIN campaigns c ON c.id = fm.campaign_id
           JOIN stories s ON s.campaign_id = c.id
           WHERE u.preferences->>'story_emails' = 'weekly' AND u.delete_after IS NULL
             AND s.status IN ('completed', 'reviewed') AND s.completed_at > NOW() - interval '7 days'
           ORDER BY u.id, c.title, s.completed_at"#
    )
    .fetch_all(db.pool())
    .await
}

pub async fn schedule_digest_unless_scheduled(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO jobs (kind, payload, run_at)
           SELECT 'digest', '{}', date_trunc('week', NOW()) + interval '7 days 8 hours'
           WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'digest' AND status IN ('queued', 'running'))"#
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn schedule_next_digest(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO jobs (kind, payload, run_at) VALUES ('digest', '{}', date_trunc('week', NOW()) + interval '7 days 8 hours')"
    )
    .execute(db.pool())
    .await?;
    Ok(())
}
