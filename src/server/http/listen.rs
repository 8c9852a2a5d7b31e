//! `GET /media/listen/{token}`: the recording behind a QR code printed in a book, for anyone
//! holding the signed, revocable link; no account.
use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::serve;
use crate::error::AppError;
use crate::server::db::renders;
use crate::server::signing::{ListenLink, Purpose};
use crate::server::state::AppState;

pub async fn listen_audio(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let Some(link) = ListenLink::verify(&state.signer, &token) else {
        return AppError::NotFound.into_response();
    };
    match renders::listening(&state.db, &link).await {
        Ok(Some(found)) => serve(&state, &found.audio_key, &found.audio_mime, &headers, "private, no-cache").await,
        Ok(None) => AppError::NotFound.into_response(),
        Err(err) => AppError::from(err).into_response(),
    }
}

/// The token a printed QR code carries for listening link `link_id`.
pub fn token_for(state: &AppState, link_id: Uuid) -> String {
    state.signer.sign(Purpose::Listen, link_id)
}
