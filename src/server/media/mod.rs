//! Media processing and storage: recordings and photos are checked from their bytes, then
//! stored with their rows (nothing half-written). The HTTP side (uploads, downloads,
//! Range) is in `server::http::media`.
pub mod audio;
pub mod error;
pub mod photo;
pub mod storage;

use std::path::PathBuf;

use uuid::Uuid;

use super::authz::CampaignAccess;
use super::db::stories;
use super::keys;
use super::state::AppState;
use crate::error::AppError;
use crate::model::{
    story::{Caption, PhotoView},
    Role,
};
use crate::urls;
pub use storage::Storage;

pub const MAX_AUDIO_BYTES: u64 = 200 * 1024 * 1024;
pub const MAX_PHOTO_BYTES: u64 = 30 * 1024 * 1024;

/// An upload staged on local disk while it is checked, removed when dropped.
pub struct Staged {
    pub path: PathBuf,
    pub size: u64,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub(crate) fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "media handling failed");
    AppError::Internal
}

/// The quota check, before a file is processed or stored.
async fn ensure_room(state: &AppState, user_id: Uuid, campaign_id: Uuid, staged: &Staged) -> Result<(), AppError> {
    let mut tx = state.db.begin_as(user_id).await?;
    let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
    tx.commit().await?;
    crate::server::limits::ensure_room(&state.db, state.quota, access.campaign_id(), staged.size).await
}

/// Checks a staged recording, stores it and points the story at it (the old file goes once
/// the row is written; the new one goes if the row is not). Returns what the page shows.
pub async fn store_audio(
    state: &AppState,
    user_id: Uuid,
    campaign_id: Uuid,
    story_id: Uuid,
    staged: &Staged,
) -> Result<serde_json::Value, AppError> {
    ensure_room(state, user_id, campaign_id, staged).await?;
    let path = staged.path.clone();
    let info = tokio::task::spawn_blocking(move || audio::probe_audio(&path))
        .await
        .map_err(internal)?
        .map_err(AppError::from)?;

    let key = keys::new_recording(campaign_id, story_id, info.extension);
    state.storage.put_file(&key, &staged.path).await.map_err(internal)?;
    let saved = async {
        let mut tx = state.db.begin_as(user_id).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        let old_key = stories::set_audio(
            &mut tx,
            &access,
            story_id,
            &stories::NewAudio {
                url: urls::story_audio(campaign_id, story_id),
                key: key.clone(),
                mime: info.mime.to_owned(),
                duration_seconds: info.duration_seconds as i32,
                size_bytes: staged.size as i64,
            },
            state.transcription_enabled,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(old_key)
    }
    .await;
    match saved {
        Ok(old_key) => {
            if let Some(old) = old_key.filter(|old| *old != key) {
                state.storage.delete(&[old]).await;
            }
            Ok(serde_json::json!({
                "url": urls::story_audio(campaign_id, story_id),
                "mime": info.mime,
                "duration_seconds": info.duration_seconds,
                "size_bytes": staged.size,
            }))
        }
        Err(err) => {
            state.storage.delete(&[key]).await;
            Err(err)
        }
    }
}

/// Checks a staged photo, stores its original, display copy and thumbnail, then writes
/// its row; nothing stays behind when a step fails.
pub async fn store_photo(
    state: &AppState,
    user_id: Uuid,
    campaign_id: Uuid,
    story_id: Option<Uuid>,
    original_filename: Option<String>,
    caption: Caption,
    staged: &Staged,
) -> Result<PhotoView, AppError> {
    ensure_room(state, user_id, campaign_id, staged).await?;
    let bytes = tokio::fs::read(&staged.path).await.map_err(internal)?;
    let (processed, bytes) = crate::server::limits::decode(move || (photo::process_photo(&bytes), bytes)).await?;
    let processed = processed.map_err(AppError::from)?;
    let photo_id = Uuid::new_v4();
    let keys: Vec<String> = keys::photo_files(campaign_id, photo_id);
    let stored = async {
        state.storage.put_bytes(&keys[0], bytes).await?;
        state.storage.put_bytes(&keys[1], processed.display).await?;
        state.storage.put_bytes(&keys[2], processed.thumbnail).await?;
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = stored {
        state.storage.delete(&keys).await;
        return Err(internal(err));
    }
    let inserted = async {
        let mut tx = state.db.begin_as(user_id).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        let view = super::db::photos::insert(
            &mut tx,
            &access,
            &super::db::photos::NewPhoto {
                id: photo_id,
                story_id,
                filename: format!("{photo_id}.{}", processed.extension),
                original_filename,
                size_bytes: staged.size as i32,
                width: processed.width as i32,
                height: processed.height as i32,
                mime_type: processed.original_mime.to_owned(),
                taken_at: processed.taken_at.clone(),
                caption,
            },
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(view)
    }
    .await;
    if inserted.is_err() {
        state.storage.delete(&keys).await;
    }
    inserted
}
