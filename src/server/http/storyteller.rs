//! The storyteller link's media routes: a recorded (or uploaded) answer, and the photo of a
//! photo question. The token in the address is the only credential; every query runs as
//! role `storyteller` for its campaign.
use axum::{
    extract::{Multipart, Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use uuid::Uuid;

use super::media::{multipart_error, stage};
use super::{serve, wants_html};
use crate::api::storyteller::thanks;
use crate::error::AppError;
use crate::server::db::storyteller::{self, AnswerAudio, Answered, Found, StorytellerLink, StorytellerTx};
use crate::server::keys;
use crate::server::limits::{self, ANSWERS_PER_LINK};
use crate::server::media::{self, audio, MAX_AUDIO_BYTES};
use crate::server::state::AppState;
use crate::urls;

async fn live(state: &AppState, token: &str) -> Result<StorytellerLink, AppError> {
    match storyteller::find(&state.db, token).await? {
        Found::Live(link) => Ok(link),
        _ => Err(AppError::NotFound),
    }
}

/// `POST /s/{token}/answer`, multipart: `question_id`, then the recording as `audio`. The
/// page's script sends it (and again after a lost connection: a second send of an answered
/// question adds nothing); without JavaScript the form posts it and lands on the thank-you.
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let html = wants_html(&headers);
    match receive(&state, &token, multipart).await {
        Ok((question_id, _)) if html => Redirect::to(&thanks(&token, question_id)).into_response(),
        Ok((question_id, outcome)) => Json(serde_json::json!({
            "question_id": question_id,
            "already_answered": matches!(outcome, Answered::Already),
        }))
        .into_response(),
        Err(error) if html => {
            // A plain form: the page again, saying what went wrong, above the same form.
            Redirect::to(&format!("{}?problem={}", urls::storyteller(&token), problem_code(&error))).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// What the page says after a refused plain-form upload (`?problem=`).
fn problem_code(error: &AppError) -> &'static str {
    match error {
        AppError::TooLarge(_) => "too-large",
        AppError::Refused(_) => "not-audio",
        AppError::TooMany(_) => "too-many",
        AppError::NotFound => "gone",
        _ => "failed",
    }
}

async fn receive(state: &AppState, token: &str, mut multipart: Multipart) -> Result<(Uuid, Answered), AppError> {
    let link = live(state, token).await?;
    ANSWERS_PER_LINK.hit(&state.db, &link.campaign_id().to_string()).await?;
    let mut question_id = None;
    let mut field = loop {
        match multipart.next_field().await.map_err(multipart_error)? {
            Some(field) if field.name() == Some("question_id") => {
                let text = field.text().await.map_err(multipart_error)?;
                question_id = Some(text.trim().parse::<Uuid>().map_err(|_| AppError::BadRequest)?);
            }
            Some(field) if field.name() == Some("audio") => break field,
            Some(_) => continue,
            None => return Err(AppError::Refused("Please choose a recording to send.".into())),
        }
    };
    let question_id = question_id.ok_or(AppError::BadRequest)?;
    let staged = stage(state, &mut field, MAX_AUDIO_BYTES).await?;
    limits::ensure_room(&state.db, state.quota, link.campaign_id(), staged.size).await?;
    let path = staged.path.clone();
    let info = tokio::task::spawn_blocking(move || audio::probe_audio(&path))
        .await
        .map_err(media::internal)?
        .map_err(AppError::from)?;
    let story_id = Uuid::new_v4();
    let key = keys::new_recording(link.campaign_id(), story_id, info.extension);
    state.storage.put_file(&key, &staged.path).await.map_err(media::internal)?;
    let recording = AnswerAudio {
        key: key.clone(),
        mime: info.mime.to_owned(),
        duration_seconds: info.duration_seconds as i32,
        size_bytes: staged.size as i64,
    };
    let saved = async {
        let mut tx = StorytellerTx::begin(&state.db, &link).await?;
        let outcome = storyteller::answer(
            &mut tx,
            &link,
            question_id,
            story_id,
            None,
            Some(&recording),
            state.transcription_enabled,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(outcome)
    }
    .await;
    match saved {
        Ok(Answered::Story(id)) => Ok((question_id, Answered::Story(id))),
        // Nothing new was written: the stored copy is not needed.
        other => {
            state.storage.delete(&[key]).await;
            other.map(|outcome| (question_id, outcome))
        }
    }
}

/// `GET /s/{token}/photos/{photo_id}`: the display copy of a photo question's photo.
pub async fn photo(
    State(state): State<AppState>,
    Path((token, photo_id)): Path<(String, Uuid)>,
    headers: HeaderMap,
) -> Response {
    let found = async {
        let link = live(&state, &token).await?;
        let mut tx = StorytellerTx::begin(&state.db, &link).await?;
        storyteller::require_photo(&mut tx, photo_id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(link)
    }
    .await;
    match found {
        Ok(link) => {
            let key = keys::photo(link.campaign_id(), photo_id, "display");
            serve(&state, &key, "image/jpeg", &headers, "private, max-age=86400").await
        }
        Err(err) => err.into_response(),
    }
}
