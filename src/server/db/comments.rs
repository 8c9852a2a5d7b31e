//! Comments and hearts under a story. Every member, viewers included, may write them;
//! authors edit and delete their own, the owner may delete any.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::family::{CommentBody, CommentView, Conversation};
use crate::server::authz::CampaignAccess;

async fn require_story(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<(), AppError> {
    sqlx::query_scalar!("SELECT id FROM stories WHERE id = $1 AND campaign_id = $2", story_id, access.campaign_id())
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}

pub async fn conversation(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<Conversation, AppError> {
    require_story(tx, access, story_id).await?;
    let comments = sqlx::query!(
        r#"SELECT c.id, coalesce(u.name, u.email, 'A former member') AS "author!", c.body,
                  c.created_at AS "created_at: DateTime<Utc>", c.updated_at > c.created_at AS "edited!",
                  c.user_id = auth.uid() AS "mine!", c.user_id AS author_id
           FROM story_comments c LEFT JOIN users u ON u.id = c.user_id
           WHERE c.story_id = $1
           ORDER BY c.created_at, c.id"#,
        story_id
    )
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .map(|r| CommentView {
        id: r.id,
        author: r.author,
        body: r.body,
        created_at: r.created_at,
        edited: r.edited,
        mine: r.mine,
        may_delete: access.may_delete_comment(r.author_id),
    })
    .collect();
    let hearts = sqlx::query!(
        r#"SELECT count(*) AS "count!", bool_or(user_id = auth.uid()) AS "mine?" FROM story_hearts WHERE story_id = $1"#,
        story_id
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(Conversation {
        comments,
        hearts: hearts.count,
        hearted_by_me: hearts.mine.unwrap_or(false),
        may_comment: access.is_editable(),
    })
}

pub async fn add(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    body: &CommentBody,
) -> Result<Uuid, AppError> {
    let body = body.as_str();
    access.ensure_editable()?;
    require_story(tx, access, story_id).await?;
    Ok(sqlx::query_scalar!(
        "INSERT INTO story_comments (story_id, user_id, body) VALUES ($1, auth.uid(), $2) RETURNING id",
        story_id,
        body
    )
    .fetch_one(tx.conn())
    .await?)
}

pub async fn edit(
    tx: &mut UserTx,
    access: &CampaignAccess,
    comment_id: Uuid,
    body: &CommentBody,
) -> Result<(), AppError> {
    let body = body.as_str();
    access.ensure_editable()?;
    let updated = sqlx::query!(
        r#"UPDATE story_comments c SET body = $3, updated_at = NOW()
           FROM stories s
           WHERE c.id = $1 AND s.id = c.story_id AND s.campaign_id = $2 AND c.user_id = auth.uid()"#,
        comment_id,
        access.campaign_id(),
        body
    )
    .execute(tx.conn())
    .await?;
    if updated.rows_affected() == 0 {
        return Err(not_yours(tx, access, comment_id).await);
    }
    Ok(())
}

pub async fn delete(tx: &mut UserTx, access: &CampaignAccess, comment_id: Uuid) -> Result<(), AppError> {
    let author = sqlx::query_scalar!(
        r#"SELECT c.user_id FROM story_comments c JOIN stories s ON s.id = c.story_id
           WHERE c.id = $1 AND s.campaign_id = $2"#,
        comment_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if !access.may_delete_comment(author) {
        return Err(AppError::Forbidden);
    }
    let deleted = sqlx::query!(
        r#"DELETE FROM story_comments c USING stories s
           WHERE c.id = $1 AND s.id = c.story_id AND s.campaign_id = $2"#,
        comment_id,
        access.campaign_id()
    )
    .execute(tx.conn())
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(not_yours(tx, access, comment_id).await);
    }
    Ok(())
}

/// A comment the user can see but not change is forbidden; one they can't see is not found.
async fn not_yours(tx: &mut UserTx, access: &CampaignAccess, comment_id: Uuid) -> AppError {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM story_comments c JOIN stories s ON s.id = c.story_id
                          WHERE c.id = $1 AND s.campaign_id = $2) AS "exists!""#,
        comment_id,
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await;
    match exists {
        Ok(true) => AppError::Forbidden,
        Ok(false) => AppError::NotFound,
        Err(err) => err.into(),
    }
}

/// Turns the user's heart on the story on or off.
pub async fn set_heart(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid, on: bool) -> Result<(), AppError> {
    require_story(tx, access, story_id).await?;
    if on {
        sqlx::query!(
            "INSERT INTO story_hearts (story_id, user_id) VALUES ($1, auth.uid()) ON CONFLICT DO NOTHING",
            story_id
        )
        .execute(tx.conn())
        .await?;
    } else {
        sqlx::query!("DELETE FROM story_hearts WHERE story_id = $1 AND user_id = auth.uid()", story_id)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}
