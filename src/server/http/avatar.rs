//! A person's picture: uploaded through the photo pipeline (the same type sniffing, size
//! limit, decoding limits and EXIF handling as family photos; only the small JPEG rendition,
//! with no EXIF, is kept) and shown to the people they share a campaign with.
use axum::{
    extract::{Multipart, Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use uuid::Uuid;

use super::media::{multipart_error, stage};
use super::{serve, wants_html, FormFailure};
use crate::error::AppError;
use crate::server::auth::AuthSession;
use crate::server::db::accounts;
use crate::server::media::{self, photo, MAX_PHOTO_BYTES};
use crate::server::state::AppState;
use crate::server::{keys, limits};
use crate::urls;

const BACK: &str = "/account#picture";

pub async fn upload_avatar(
    State(state): State<AppState>,
    auth: AuthSession,
    session: tower_sessions::Session,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let html = wants_html(&headers);
    match receive(&state, &auth, multipart).await {
        Ok(_) if html => Redirect::to(BACK).into_response(),
        Ok(url) => Json(serde_json::json!({ "url": url })).into_response(),
        Err(error) => {
            let back = html.then(|| BACK.to_owned());
            FormFailure { form: "avatar", error, back, session: Some(session), values: Vec::new() }
                .into_response()
                .await
        }
    }
}

async fn receive(state: &AppState, auth: &AuthSession, mut multipart: Multipart) -> Result<String, AppError> {
    let user_id = auth.user.as_ref().ok_or(AppError::Unauthenticated)?.id;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("avatar") || field.file_name() == Some("") {
            continue;
        }
        let staged = stage(state, &mut field, MAX_PHOTO_BYTES).await?;
        let bytes = tokio::fs::read(&staged.path).await.map_err(media::internal)?;
        let processed = limits::decode(move || photo::process_photo(&bytes)).await?.map_err(AppError::from)?;
        let avatar_id = Uuid::new_v4();
        let key = keys::avatar(user_id, avatar_id);
        state.storage.put_bytes(&key, processed.thumbnail).await.map_err(media::internal)?;
        let url = urls::avatar(user_id, avatar_id);
        let saved = async {
            let mut tx = state.db.begin_as(user_id).await?;
            let old = accounts::set_avatar(&mut tx, Some(&url)).await?;
            tx.commit().await?;
            Ok::<_, AppError>(old)
        }
        .await;
        match saved {
            Ok(old) => {
                if let Some(old_key) = old.as_deref().and_then(keys::avatar_from_url) {
                    state.storage.delete(&[old_key]).await;
                }
                return Ok(url);
            }
            Err(err) => {
                state.storage.delete(&[key]).await;
                return Err(err);
            }
        }
    }
    Err(AppError::Refused("Please choose a photo of yourself to upload.".into()))
}

/// Shown to the person and to everyone who shares a campaign with them.
pub async fn download_avatar(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((user_id, avatar_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
) -> Response {
    let visible = async {
        let viewer = auth.user.as_ref().ok_or(AppError::Unauthenticated)?.id;
        let mut tx = state.db.begin_as(viewer).await?;
        let current = accounts::avatar_of(&mut tx, user_id).await?;
        tx.commit().await?;
        match current {
            Some(url) if url == urls::avatar(user_id, avatar_id) => Ok(()),
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    match visible {
        Ok(()) => {
            serve(&state, &keys::avatar(user_id, avatar_id), "image/jpeg", &headers, "private, max-age=86400").await
        }
        Err(err) => err.into_response(),
    }
}
