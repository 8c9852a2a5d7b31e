//! The files an order printed: the copies kept when it was placed, for the person who
//! ordered and for staff fulfilling it, and through signed links for the print provider.
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::serve;
use crate::error::AppError;
use crate::server::auth::AuthSession;
use crate::server::db::orders;
use crate::server::keys;
use crate::server::orders::{fulfil, lulu};
use crate::server::signing::PrintFileLink;
use crate::server::state::AppState;

/// The files an order prints, by name.
const PRINT_FILES: [&str; 2] = ["interior.pdf", "cover.pdf"];

pub async fn download_order_file(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((order_id, file)): Path<(Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    let allowed = async {
        let user = auth.user.as_ref().ok_or(AppError::Unauthenticated)?.id;
        if !PRINT_FILES.contains(&file.as_str()) {
            return Err(AppError::NotFound);
        }
        let mut tx = state.db.begin_as(user).await?;
        let order = orders::my_order(&mut tx, order_id).await;
        tx.commit().await?;
        match order {
            Ok(order) => Ok(order.summary.order_number),
            Err(AppError::NotFound) if orders::is_staff(&state.db, user).await? => {
                Ok(orders::any_order(&state.db, order_id).await?.summary.order_number)
            }
            Err(err) => Err(err),
        }
    }
    .await;
    match allowed {
        Ok(number) => {
            let key = keys::order_file(order_id, &file);
            let mut response = serve(&state, &key, "application/pdf", &headers, "private, no-store").await;
            let name = format!("{number} {file}");
            if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(err) => err.into_response(),
    }
}

/// `GET /print-files/{order_id}/{file}?expires=…&sig=…`: the print provider downloads an
/// order's file through the signed link it was given ([`crate::server::orders::fulfil`]).
/// A link that is forged, changed, expired or for another file is a plain 404.
pub async fn download_print_file(
    State(state): State<AppState>,
    Path((order_id, file)): Path<(Uuid, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (mut expires, mut sig) = (None, None);
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "expires" => expires = value.parse::<i64>().ok(),
            "sig" => sig = Some(value.into_owned()),
            _ => {}
        }
    }
    let now = chrono::Utc::now().timestamp();
    let link = match (expires, sig) {
        (Some(expires), Some(sig)) if PRINT_FILES.contains(&file.as_str()) => {
            PrintFileLink::verify(&state.signer, order_id, &file, expires, &sig, now)
        }
        _ => None,
    };
    let Some(link) = link else {
        return AppError::NotFound.into_response();
    };
    let key = keys::order_file(link.order_id(), link.file());
    let mut response = serve(&state, &key, "application/pdf", &headers, "private, no-store").await;
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", link.file())) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The most a Lulu webhook's body may hold (one print job is a few kilobytes).
pub const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

/// `POST /webhooks/lulu`: Lulu reports a print job's new status, signed with our API secret
/// ([`fulfil::webhook`]).
pub async fn lulu_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get(lulu::WEBHOOK_SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    fulfil::webhook(&state, signature, &body).await.into_response()
}
