//! Media: recordings and photos. Uploads stream through axum routes (not server functions)
//! into a staging file, are checked from their bytes, then stored; every download passes
//! the same campaign authorization as the pages do.
pub mod audio;
pub mod error;
pub mod photo;
pub mod storage;

use std::path::PathBuf;

use axum::{
    body::Body,
    extract::{multipart::Field, DefaultBodyLimit, Multipart, Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::auth::AuthSession;
use super::authz::CampaignAccess;
use super::db::{stories, UserTx};
use super::state::AppState;
use crate::error::AppError;
use crate::model::{story::PhotoView, Flash, Role};
pub use storage::Storage;

pub const MAX_AUDIO_BYTES: u64 = 200 * 1024 * 1024;
pub const MAX_PHOTO_BYTES: u64 = 30 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/media/campaigns/{campaign_id}/stories/{story_id}/audio",
            get(download_audio).post(upload_audio),
        )
        .route("/media/campaigns/{campaign_id}/photos", post(upload_photos))
        .route("/media/campaigns/{campaign_id}/photos/{photo_id}/{variant}", get(download_photo))
        .route("/media/campaigns/{campaign_id}/books/{book_id}/renders/{render_id}/{file}", get(download_render))
        .route(
            "/media/campaigns/{campaign_id}/books/{book_id}/renders/{render_id}/pages/{page}",
            get(download_page),
        )
        .route("/media/listen/{token}", get(listen_audio))
        // The limits are enforced while streaming, per file, below.
        .layer(DefaultBodyLimit::disable())
}

pub fn audio_url(campaign_id: Uuid, story_id: Uuid) -> String {
    format!("/media/campaigns/{campaign_id}/stories/{story_id}/audio")
}

pub fn photo_key(campaign_id: Uuid, photo_id: Uuid, variant: &str) -> String {
    format!("campaigns/{campaign_id}/photos/{photo_id}/{variant}")
}

pub fn campaign_prefix(campaign_id: Uuid) -> String {
    format!("campaigns/{campaign_id}")
}

pub fn photo_view(
    campaign_id: Uuid,
    id: Uuid,
    width: Option<i32>,
    height: Option<i32>,
    caption: Option<String>,
    original_filename: Option<String>,
) -> PhotoView {
    let base = format!("/media/campaigns/{campaign_id}/photos/{id}");
    PhotoView {
        id,
        thumbnail_url: format!("{base}/thumb"),
        display_url: format!("{base}/display"),
        width: width.unwrap_or(0),
        height: height.unwrap_or(0),
        caption,
        original_filename,
    }
}

/// A failed media request: JSON for the app's own uploads, a flash + redirect back for a
/// plain HTML form.
struct MediaFailure {
    error: AppError,
    back: Option<String>,
    session: Option<tower_sessions::Session>,
}

impl MediaFailure {
    async fn into_response(self) -> Response {
        if let (Some(back), Some(session)) = (self.back, self.session) {
            let flash = Flash { form: "upload".into(), error: self.error, values: Vec::new() };
            if let Err(err) = session.insert("flash", flash).await {
                tracing::error!(error = %err, "could not keep the upload error for the next page");
            }
            return Redirect::to(&back).into_response();
        }
        let status = StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(serde_json::json!({ "error": self.error.to_string(), "detail": self.error }))).into_response()
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

async fn begin(state: &AppState, auth: &AuthSession) -> Result<UserTx, AppError> {
    let user = auth.user.as_ref().ok_or(AppError::Unauthenticated)?;
    Ok(state.db.begin_as(user.id).await?)
}

/// A staged upload, removed from disk when dropped.
struct Staged {
    path: PathBuf,
    size: u64,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Streams one multipart field to a staging file, refusing it past `limit` bytes.
async fn stage(state: &AppState, field: &mut Field<'_>, limit: u64) -> Result<Staged, AppError> {
    let dir = state.uploads_dir();
    tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
    let staged = Staged { path: dir.join(format!("{}.part", Uuid::new_v4())), size: 0 };
    let mut file = tokio::fs::File::create(&staged.path).await.map_err(internal)?;
    let mut staged = staged;
    while let Some(chunk) = field.chunk().await.map_err(|err| {
        tracing::info!(error = %err, "upload interrupted");
        AppError::Refused("The upload was interrupted. Please try again.".into())
    })? {
        staged.size += chunk.len() as u64;
        if staged.size > limit {
            return Err(AppError::TooLarge(format!(
                "That file is too large. The limit is {} MB.",
                limit / (1024 * 1024)
            )));
        }
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    if staged.size == 0 {
        return Err(AppError::Refused("That file is empty. Please choose another.".into()));
    }
    Ok(staged)
}

/// A refused file gets its reason; a failure of ours is logged and reported as such.
fn media_error(err: error::MediaError) -> AppError {
    match err {
        error::MediaError::TooLarge(_) => AppError::TooLarge(err.user_message()),
        _ if err.is_client_error() => AppError::Refused(err.user_message()),
        other => internal(other),
    }
}

fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "media handling failed");
    AppError::Internal
}

async fn upload_audio(
    State(state): State<AppState>,
    auth: AuthSession,
    session: tower_sessions::Session,
    Path((campaign_id, story_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let back = format!("/campaigns/{campaign_id}/stories/{story_id}/edit");
    let html = wants_html(&headers);
    match receive_audio(&state, &auth, campaign_id, story_id, multipart).await {
        Ok(_) if html => Redirect::to(&back).into_response(),
        Ok(body) => Json(body).into_response(),
        Err(error) => MediaFailure { error, back: html.then_some(back), session: Some(session) }.into_response().await,
    }
}

async fn receive_audio(
    state: &AppState,
    auth: &AuthSession,
    campaign_id: Uuid,
    story_id: Uuid,
    mut multipart: Multipart,
) -> Result<serde_json::Value, AppError> {
    // Checked before a byte is stored, and again when the row is written.
    {
        let mut tx = begin(state, auth).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        stories::require_editable(&mut tx, &access, story_id).await?;
        tx.commit().await?;
    }
    let mut field = loop {
        match multipart.next_field().await.map_err(|_| AppError::BadRequest)? {
            Some(field) if field.name() == Some("audio") => break field,
            Some(_) => continue,
            None => return Err(AppError::Refused("Please choose a recording to upload.".into())),
        }
    };
    let staged = stage(state, &mut field, MAX_AUDIO_BYTES).await?;
    let path = staged.path.clone();
    let info = tokio::task::spawn_blocking(move || audio::probe_audio(&path))
        .await
        .map_err(internal)?
        .map_err(media_error)?;

    let key = format!("campaigns/{campaign_id}/stories/{story_id}/audio-{}.{}", Uuid::new_v4(), info.extension);
    state.storage.put_file(&key, &staged.path).await.map_err(internal)?;
    let saved = async {
        let mut tx = begin(state, auth).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        let old_key = stories::set_audio(
            &mut tx,
            &access,
            story_id,
            &stories::NewAudio {
                url: audio_url(campaign_id, story_id),
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
                "url": audio_url(campaign_id, story_id),
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

#[derive(Deserialize)]
struct PhotoTarget {
    story: Option<Uuid>,
}

async fn upload_photos(
    State(state): State<AppState>,
    auth: AuthSession,
    session: tower_sessions::Session,
    Path(campaign_id): Path<Uuid>,
    Query(target): Query<PhotoTarget>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let back = match target.story {
        Some(story) => format!("/campaigns/{campaign_id}/stories/{story}/edit"),
        None => format!("/campaigns/{campaign_id}/photos"),
    };
    let html = wants_html(&headers);
    match receive_photos(&state, &auth, campaign_id, target.story, multipart).await {
        Ok(_) if html => Redirect::to(&back).into_response(),
        Ok(photos) => Json(photos).into_response(),
        Err(error) => MediaFailure { error, back: html.then_some(back), session: Some(session) }.into_response().await,
    }
}

async fn receive_photos(
    state: &AppState,
    auth: &AuthSession,
    campaign_id: Uuid,
    story_id: Option<Uuid>,
    mut multipart: Multipart,
) -> Result<Vec<PhotoView>, AppError> {
    {
        let mut tx = begin(state, auth).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        access.ensure_editable()?;
        if let Some(story_id) = story_id {
            stories::require_editable(&mut tx, &access, story_id).await?;
        }
        tx.commit().await?;
    }
    let mut saved = Vec::new();
    let mut failures = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| AppError::BadRequest)? {
        if field.name() != Some("photos") {
            continue;
        }
        let name = field.file_name().map(|n| n.chars().take(200).collect::<String>());
        if name.as_deref() == Some("") {
            continue; // a plain form sent with no file chosen
        }
        let result = async {
            let staged = stage(state, &mut field, MAX_PHOTO_BYTES).await?;
            store_photo(state, auth, campaign_id, story_id, name.clone(), &staged).await
        }
        .await;
        match result {
            Ok(photo) => saved.push(photo),
            Err(err) => failures.push((name.unwrap_or_else(|| "A photo".into()), err)),
        }
    }
    match failures.len() {
        0 if saved.is_empty() => Err(AppError::Refused("Please choose one or more photos to upload.".into())),
        0 => Ok(saved),
        _ => {
            let (name, err) = &failures[0];
            let reason = match err {
                AppError::Validation(fields) => fields.values().next().cloned().unwrap_or_else(|| err.to_string()),
                other => other.to_string(),
            };
            let reason = reason.replacen("That file", "it", 1);
            let mut message = format!("{name}: {reason}");
            if failures.len() > 1 {
                message.push_str(&format!(" ({} more could not be added.)", failures.len() - 1));
            }
            if !saved.is_empty() {
                message.push_str(&format!(" The other {} photo(s) were added.", saved.len()));
            }
            Err(match err {
                AppError::TooLarge(_) => AppError::TooLarge(message),
                AppError::Validation(_) | AppError::Refused(_) => AppError::Refused(message),
                other => other.clone(),
            })
        }
    }
}

async fn store_photo(
    state: &AppState,
    auth: &AuthSession,
    campaign_id: Uuid,
    story_id: Option<Uuid>,
    original_filename: Option<String>,
    staged: &Staged,
) -> Result<PhotoView, AppError> {
    let bytes = tokio::fs::read(&staged.path).await.map_err(internal)?;
    let (processed, bytes) = tokio::task::spawn_blocking(move || (photo::process_photo(&bytes), bytes))
        .await
        .map_err(internal)?;
    let processed = processed.map_err(media_error)?;
    let photo_id = Uuid::new_v4();
    let keys: Vec<String> = ["original", "display", "thumb"].iter().map(|v| photo_key(campaign_id, photo_id, v)).collect();
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
        let mut tx = begin(state, auth).await?;
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

async fn download_audio(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, story_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
) -> Response {
    let found = async {
        let mut tx = begin(&state, &auth).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Viewer).await?;
        let audio = stories::audio_file(&mut tx, &access, story_id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(audio)
    }
    .await;
    match found {
        Ok((key, mime)) => serve(&state, &key, &mime, &headers, "private, no-cache").await,
        Err(err) => error_response(err),
    }
}

async fn download_photo(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, photo_id, variant)): Path<(Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    // The original keeps its EXIF (place, camera) for print; it is never served.
    if variant != "thumb" && variant != "display" {
        return error_response(AppError::NotFound);
    }
    let found = async {
        let mut tx = begin(&state, &auth).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Viewer).await?;
        super::db::photos::require_exists(&mut tx, &access, photo_id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match found {
        Ok(()) => {
            let key = photo_key(campaign_id, photo_id, &variant);
            serve(&state, &key, "image/jpeg", &headers, "private, max-age=86400").await
        }
        Err(err) => error_response(err),
    }
}

/// The print files of a book's current render, for every member of the campaign.
async fn render_file(
    state: &AppState,
    auth: &AuthSession,
    (campaign_id, book_id, render_id): (Uuid, Uuid, Uuid),
) -> Result<String, AppError> {
    let mut tx = begin(state, auth).await?;
    let access = CampaignAccess::require(&mut tx, campaign_id, Role::Viewer).await?;
    let title = super::db::books::require_render(&mut tx, &access, book_id, render_id).await?;
    tx.commit().await?;
    Ok(title)
}

async fn download_render(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, book_id, render_id, file)): Path<(Uuid, Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    let mime = match file.as_str() {
        "book.pdf" | "cover.pdf" => "application/pdf",
        "cover.png" => "image/png",
        _ => return error_response(AppError::NotFound),
    };
    match render_file(&state, &auth, (campaign_id, book_id, render_id)).await {
        Ok(title) => {
            let key = format!("{}/{file}", super::db::books::render_prefix(campaign_id, book_id, render_id));
            let mut response = serve(&state, &key, mime, &headers, "private, max-age=31536000, immutable").await;
            if mime == "application/pdf" {
                let name = download_name(&title, if file == "cover.pdf" { " - cover" } else { "" });
                if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{name}.pdf\"")) {
                    response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
                }
            }
            response
        }
        Err(err) => error_response(err),
    }
}

/// An ASCII file name from the book's title (header values must be ASCII).
fn download_name(title: &str, suffix: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == ' ' || c == '-' { c } else { '_' })
        .collect::<String>()
        .trim()
        .chars()
        .take(80)
        .collect();
    format!("{}{suffix}", if name.is_empty() { "book" } else { &name })
}

async fn download_page(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, book_id, render_id, page)): Path<(Uuid, Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(number) = page.strip_suffix(".png").and_then(|n| n.parse::<u32>().ok()) else {
        return error_response(AppError::NotFound);
    };
    match render_file(&state, &auth, (campaign_id, book_id, render_id)).await {
        Ok(_) => {
            let key = format!("{}/pages/{number}.png", super::db::books::render_prefix(campaign_id, book_id, render_id));
            serve(&state, &key, "image/png", &headers, "private, max-age=31536000, immutable").await
        }
        Err(err) => error_response(err),
    }
}

/// A printed QR code's recording: no account, only the signed, revocable link.
async fn listen_audio(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let Some(link) = state.signer.verify(super::books::LISTEN, &token) else {
        return error_response(AppError::NotFound);
    };
    match super::db::books::listening(state.db.pool(), link).await {
        Ok(Some(found)) => serve(&state, &found.audio_key, &found.audio_mime, &headers, "private, no-cache").await,
        Ok(None) => error_response(AppError::NotFound),
        Err(err) => error_response(AppError::from(err)),
    }
}

fn error_response(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}

/// Streams a stored file, honouring a single HTTP Range (audio seeking needs it).
async fn serve(state: &AppState, key: &str, mime: &str, headers: &HeaderMap, cache: &'static str) -> Response {
    let size = match state.storage.size(key).await {
        Ok(size) => size,
        Err(object_store::Error::NotFound { .. }) => return error_response(AppError::NotFound),
        Err(err) => return error_response(internal(err)),
    };
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(value) => match http_range_header::parse_range_header(value).and_then(|r| r.validate(size)) {
            Ok(ranges) if ranges.len() == 1 => Some((*ranges[0].start(), *ranges[0].end())),
            _ => {
                return (
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{size}"))],
                )
                    .into_response()
            }
        },
    };
    let download = match state.storage.get(key, range).await {
        Ok(d) => d,
        Err(err) => return error_response(internal(err)),
    };
    let mut response = Response::new(Body::from_stream(download.body));
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(download.range.end - download.range.start));
    if range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(v) = HeaderValue::from_str(&format!(
            "bytes {}-{}/{}",
            download.range.start,
            download.range.end - 1,
            download.size
        )) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    response
}
