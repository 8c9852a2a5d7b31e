//! `GET /healthz`: is the server up and its database answering?
use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde_json::json;

use crate::server::{db::health, state::AppState};

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match health::ping(&state.db).await {
        Ok(_) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "ok" }))),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": "unreachable" })))
        }
    }
}
