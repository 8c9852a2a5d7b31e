//! The files an order printed: the copies kept when it was placed, for the person who
//! ordered and for staff fulfilling it.
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::serve;
use crate::error::AppError;
use crate::server::auth::AuthSession;
use crate::server::db::orders;
use crate::server::keys;
use crate::server::state::AppState;

pub async fn download_order_file(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((order_id, file)): Path<(Uuid, String)>,
    headers: HeaderMap,
) -> Response {
    let allowed = async {
        let user = auth.user.as_ref().ok_or(AppError::Unauthenticated)?.id;
        if !matches!(file.as_str(), "interior.pdf" | "cover.pdf") {
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
