//! The media routes: uploads stream into a staging file (per-file limits while streaming)
//! and go to `server::media` to be checked and stored; downloads pass the same campaign
//! authorization as the pages and support HTTP Range.
use axum::{
    extract::{multipart::Field, Multipart, Path, Query, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::{serve, wants_html, FormFailure};
use crate::error::AppError;
use crate::model::{
    story::{Caption, PhotoView},
    Role,
};
use crate::server::auth::AuthSession;
use crate::server::authz::CampaignAccess;
use crate::server::db::{self, stories, UserTx};
use crate::server::keys;
use crate::server::limits;
use crate::server::media::{self, Staged, MAX_AUDIO_BYTES, MAX_PHOTO_BYTES};
use crate::server::state::AppState;
use crate::urls;

fn user_id(auth: &AuthSession) -> Result<Uuid, AppError> {
    Ok(auth.user.as_ref().ok_or(AppError::Unauthenticated)?.id)
}

async fn begin(state: &AppState, auth: &AuthSession) -> Result<UserTx, AppError> {
    Ok(state.db.begin_as(user_id(auth)?).await?)
}

/// Streams one multipart field to a staging file, refusing it past `limit` bytes.
pub(super) async fn stage(state: &AppState, field: &mut Field<'_>, limit: u64) -> Result<Staged, AppError> {
    let dir = state.uploads_dir();
    tokio::fs::create_dir_all(&dir).await.map_err(media::internal)?;
    let staged = Staged { path: dir.join(format!("{}.part", Uuid::new_v4())), size: 0 };
    let mut file = tokio::fs::File::create(&staged.path).await.map_err(media::internal)?;
    let mut staged = staged;
    while let Some(chunk) = field.chunk().await.map_err(|err| match body_error(&err) {
        Some(too_large) => too_large,
        None => {
            tracing::info!(error = %err, "upload interrupted");
            AppError::Refused("The upload was interrupted. Please try again.".into())
        }
    })? {
        staged.size += chunk.len() as u64;
        if staged.size > limit {
            return Err(AppError::TooLarge(format!(
                "That file is too large. The limit is {} MB.",
                limit / (1024 * 1024)
            )));
        }
        file.write_all(&chunk).await.map_err(media::internal)?;
    }
    file.flush().await.map_err(media::internal)?;
    if staged.size == 0 {
        return Err(AppError::Refused("That file is empty. Please choose another.".into()));
    }
    Ok(staged)
}

pub async fn upload_audio(
    State(state): State<AppState>,
    auth: AuthSession,
    session: tower_sessions::Session,
    Path((campaign_id, story_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let back = urls::story_edit(campaign_id, story_id);
    let html = wants_html(&headers);
    match receive_audio(&state, &auth, campaign_id, story_id, multipart).await {
        Ok(_) if html => Redirect::to(&back).into_response(),
        Ok(body) => Json(body).into_response(),
        Err(error) => {
            FormFailure {
                form: "upload",
                error,
                back: html.then_some(back),
                session: Some(session),
                values: Vec::new(),
            }
            .into_response()
            .await
        }
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
        let owner = limits::campaign_owner(&state.db, campaign_id).await?;
        let what = limits::Counted::RecordedStories { besides: story_id };
        limits::ensure_tier_allows(&state.db, state.quota.tiers, owner, what).await?;
    }
    let mut field = loop {
        match multipart.next_field().await.map_err(multipart_error)? {
            Some(field) if field.name() == Some("audio") => break field,
            Some(_) => continue,
            None => return Err(AppError::Refused("Please choose a recording to upload.".into())),
        }
    };
    let staged = stage(state, &mut field, MAX_AUDIO_BYTES).await?;
    media::store_audio(state, user_id(auth)?, campaign_id, story_id, &staged).await
}

#[derive(Deserialize)]
pub struct PhotoTarget {
    story: Option<Uuid>,
}

pub async fn upload_photos(
    State(state): State<AppState>,
    auth: AuthSession,
    session: tower_sessions::Session,
    Path(campaign_id): Path<Uuid>,
    Query(target): Query<PhotoTarget>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let back = match target.story {
        Some(story) => urls::story_edit(campaign_id, story),
        None => urls::photos(campaign_id),
    };
    let html = wants_html(&headers);
    match receive_photos(&state, &auth, campaign_id, target.story, multipart).await {
        Ok(_) if html => Redirect::to(&back).into_response(),
        Ok(photos) => Json(photos).into_response(),
        Err(error) => {
            FormFailure {
                form: "upload",
                error,
                back: html.then_some(back),
                session: Some(session),
                values: Vec::new(),
            }
            .into_response()
            .await
        }
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
    // The form puts the description before the files, so it is known when they arrive.
    let mut caption = Caption::parse("")?;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("caption") {
            // Refused (not a field error): the upload's message is what the page shows.
            let refused = |e: AppError| AppError::Refused(e.field("caption").unwrap_or_else(|| e.to_string()));
            let text = read_text_field(&mut field, Caption::MAX_CHARS * 4).await.map_err(refused)?;
            caption = Caption::parse(&text).map_err(refused)?;
            continue;
        }
        if field.name() != Some("photos") {
            continue;
        }
        let name = field.file_name().map(|n| n.chars().take(200).collect::<String>());
        if name.as_deref() == Some("") {
            continue; // a plain form sent with no file chosen
        }
        let result = async {
            let staged = stage(state, &mut field, MAX_PHOTO_BYTES).await?;
            media::store_photo(state, user_id(auth)?, campaign_id, story_id, name.clone(), caption.clone(), &staged)
                .await
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
                message.push_str(&format!(
                    " {} added.",
                    crate::model::count(saved.len() as i64, "other photo was", "other photos were")
                ));
            }
            Err(match err {
                AppError::TooLarge(_) => AppError::TooLarge(message),
                AppError::Validation(_) | AppError::Refused(_) => AppError::Refused(message),
                other => other.clone(),
            })
        }
    }
}

/// The body went over [`UPLOAD_BODY_LIMIT`](super::UPLOAD_BODY_LIMIT) (counted while it
/// streams, so an endless body is cut off rather than read).
fn body_error(err: &axum::extract::multipart::MultipartError) -> Option<AppError> {
    (err.status() == http::StatusCode::PAYLOAD_TOO_LARGE).then(|| {
        AppError::TooLarge(format!(
            "This upload is too large. One upload can carry at most {} MB; please send fewer photos at once.",
            super::UPLOAD_BODY_LIMIT / (1024 * 1024)
        ))
    })
}

pub(super) fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    body_error(&err).unwrap_or(AppError::BadRequest)
}

/// A small text field of a multipart form, refused past `limit` bytes.
async fn read_text_field(field: &mut Field<'_>, limit: usize) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::invalid("caption", "Please keep the caption under 1,000 characters."));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| AppError::BadRequest)
}

pub async fn download_audio(
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
        Err(err) => err.into_response(),
    }
}

pub async fn download_photo(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, photo_id, variant)): Path<(Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    // The original keeps its EXIF (place, camera) for print; it is never served.
    if variant != "thumb" && variant != "display" {
        return AppError::NotFound.into_response();
    }
    let found = async {
        let mut tx = begin(&state, &auth).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Viewer).await?;
        db::photos::require_exists(&mut tx, &access, photo_id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match found {
        Ok(()) => {
            let key = keys::photo(campaign_id, photo_id, &variant);
            serve(&state, &key, "image/jpeg", &headers, "private, max-age=86400").await
        }
        Err(err) => err.into_response(),
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
    let title = db::books::require_render(&mut tx, &access, book_id, render_id).await?;
    tx.commit().await?;
    Ok(title)
}

pub async fn download_render(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, book_id, render_id, file)): Path<(Uuid, Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    let mime = match file.as_str() {
        "book.pdf" | "cover.pdf" => "application/pdf",
        "cover.png" => "image/png",
        _ => return AppError::NotFound.into_response(),
    };
    match render_file(&state, &auth, (campaign_id, book_id, render_id)).await {
        Ok(title) => {
            let key = format!("{}/{file}", keys::render_prefix(campaign_id, book_id, render_id));
            let mut response = serve(&state, &key, mime, &headers, "private, max-age=31536000, immutable").await;
            if mime == "application/pdf" {
                let name = download_name(&title, if file == "cover.pdf" { " - cover" } else { "" });
                if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{name}.pdf\"")) {
                    response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
                }
            }
            response
        }
        Err(err) => err.into_response(),
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

pub async fn download_page(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((campaign_id, book_id, render_id, page)): Path<(Uuid, Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(number) = page.strip_suffix(".png").and_then(|n| n.parse::<u32>().ok()) else {
        return AppError::NotFound.into_response();
    };
    match render_file(&state, &auth, (campaign_id, book_id, render_id)).await {
        Ok(_) => {
            let key = format!("{}/pages/{number}.png", keys::render_prefix(campaign_id, book_id, render_id));
            serve(&state, &key, "image/png", &headers, "private, max-age=31536000, immutable").await
        }
        Err(err) => err.into_response(),
    }
}

/// A person's own "Download my data" ZIP, while it is kept.
pub async fn download_export(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(export_id): Path<Uuid>,
    headers: HeaderMap,
) -> Response {
    let found = async {
        let mut tx = begin(&state, &auth).await?;
        let key = db::exports::download(&mut tx, export_id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(key)
    }
    .await;
    match found {
        Ok(key) => {
            let mut response = serve(&state, &key, "application/zip", &headers, "private, no-store").await;
            let name = format!("MyStoryFlow data {}.zip", chrono::Utc::now().format("%Y-%m-%d"));
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(err) => err.into_response(),
    }
}
