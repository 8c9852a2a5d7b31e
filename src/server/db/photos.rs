//! Photo rows. The files live in storage under keys derived from the photo's id.
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::story::{Caption, PhotoView};
use crate::model::Role;
use crate::server::{authz::CampaignAccess, keys};

pub struct NewPhoto {
    pub id: Uuid,
    pub story_id: Option<Uuid>,
    pub filename: String,
    pub original_filename: Option<String>,
    pub size_bytes: i32,
    pub width: i32,
    pub height: i32,
    pub mime_type: String,
    pub taken_at: Option<String>,
    pub caption: Caption,
}

pub async fn insert(tx: &mut UserTx, access: &CampaignAccess, photo: &NewPhoto) -> Result<PhotoView, AppError> {
    access.ensure_editable()?;
    if let Some(story_id) = photo.story_id {
        super::stories::require_editable(tx, access, story_id).await?;
    }
    let caption = photo.caption.as_deref().map(str::to_owned);
    let view = PhotoView::new(
        access.campaign_id(),
        photo.id,
        Some(photo.width),
        Some(photo.height),
        caption.clone(),
        photo.original_filename.clone(),
    );
    sqlx::query!(
        r#"INSERT INTO photos (id, user_id, story_id, campaign_id, filename, original_filename, url,
                               thumbnail_url, size_bytes, width, height, mime_type, metadata, caption)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                   jsonb_strip_nulls(jsonb_build_object('taken_at', $13::text)), $14)"#,
        photo.id,
        access.user_id(),
        photo.story_id,
        access.campaign_id(),
        photo.filename,
        photo.original_filename,
        view.display_url,
        view.thumbnail_url,
        photo.size_bytes,
        photo.width,
        photo.height,
        photo.mime_type,
        photo.taken_at,
        caption,
    )
    .execute(tx.conn())
    .await?;
    if let Some(story_id) = photo.story_id {
        attach(tx, access, story_id, photo.id).await?;
    }
    Ok(view)
}

pub async fn require_exists(tx: &mut UserTx, access: &CampaignAccess, photo_id: Uuid) -> Result<(), AppError> {
    sqlx::query_scalar!("SELECT id FROM photos WHERE id = $1 AND campaign_id = $2", photo_id, access.campaign_id())
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}

/// The campaign's gallery, newest first.
pub async fn gallery(tx: &mut UserTx, access: &CampaignAccess) -> Result<Vec<PhotoView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, width, height, caption, original_filename FROM photos
           WHERE campaign_id = $1 ORDER BY created_at DESC, id"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PhotoView::new(access.campaign_id(), r.id, r.width, r.height, r.caption, r.original_filename))
        .collect())
}

pub async fn attach(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid, photo_id: Uuid) -> Result<(), AppError> {
    super::stories::require_editable(tx, access, story_id).await?;
    require_exists(tx, access, photo_id).await?;
    sqlx::query!(
        r#"INSERT INTO story_photos (story_id, photo_id, position)
           VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM story_photos WHERE story_id = $1))
           ON CONFLICT DO NOTHING"#,
        story_id,
        photo_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn detach(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid, photo_id: Uuid) -> Result<(), AppError> {
    super::stories::require_editable(tx, access, story_id).await?;
    sqlx::query!("DELETE FROM story_photos WHERE story_id = $1 AND photo_id = $2", story_id, photo_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_caption(
    tx: &mut UserTx,
    access: &CampaignAccess,
    photo_id: Uuid,
    caption: &Caption,
) -> Result<(), AppError> {
    access.ensure_editable()?;
    let caption = caption.as_deref();
    let updated = sqlx::query!(
        "UPDATE photos SET caption = $3 WHERE id = $1 AND campaign_id = $2",
        photo_id,
        access.campaign_id(),
        caption
    )
    .execute(tx.conn())
    .await?;
    if updated.rows_affected() == 0 {
        // RLS hides rows the user may not change: a contributor's photo is theirs to caption.
        return Err(if access.role() >= Role::Contributor { AppError::Forbidden } else { AppError::NotFound });
    }
    Ok(())
}

/// Deletes the photo row (and its story links); returns the storage keys to remove.
pub async fn delete(tx: &mut UserTx, access: &CampaignAccess, photo_id: Uuid) -> Result<Vec<String>, AppError> {
    access.ensure_editable()?;
    require_exists(tx, access, photo_id).await?;
    let deleted = sqlx::query!("DELETE FROM photos WHERE id = $1 AND campaign_id = $2", photo_id, access.campaign_id())
        .execute(tx.conn())
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::Forbidden);
    }
    Ok(keys::photo_files(access.campaign_id(), photo_id))
}
