//! What a server function knows about its request: state, session, user, and how its
//! result becomes an HTTP answer (status codes; flash + redirect for JavaScript-off forms).
use http::{header::ACCEPT, request::Parts, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::auth::{AuthSession, AuthUser};
use super::state::AppState;
use crate::error::AppError;
use crate::model::{Flash, Notice};

const FLASH_KEY: &str = "flash";
const NOTICE_KEY: &str = "notice";

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>().await.map_err(|err| {
        tracing::error!(error = ?err, "auth session unavailable");
        AppError::Internal
    })
}

/// The signed-in user, or 401.
pub async fn require_user() -> Result<AuthUser, AppError> {
    auth_session().await?.user.ok_or(AppError::Unauthenticated)
}

/// Logs the user in; axum-login gives the session a new id (no session fixation).
pub async fn log_in(user: &AuthUser) -> Result<(), AppError> {
    auth_session().await?.login(user).await.map_err(|err| {
        tracing::error!(error = %err, "could not store the login in the session");
        AppError::Internal
    })
}

/// Sets the HTTP status of a failed server function.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        set_status(err.status());
    }
    result
}

/// Like [`respond`], but a failed plain form post (JavaScript off) is sent back to `back`
/// with its error and typed values kept in the session for that page to show once.
pub async fn respond_to_form<T>(
    form: &str,
    typed: Vec<(String, String)>,
    back: &str,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    let Err(err) = &result else { return result };
    if !is_plain_form_post() {
        set_status(err.status());
        return result;
    }
    let flash = Flash { form: form.to_owned(), error: err.clone(), values: typed };
    match leptos_axum::extract::<Session>().await {
        Ok(session) => {
            if let Err(e) = session.insert(FLASH_KEY, flash).await {
                tracing::error!(error = %e, "could not keep the form error for the next page");
            }
        }
        Err(e) => tracing::error!(error = ?e, "session unavailable for the form error"),
    }
    leptos_axum::redirect(back);
    result
}

/// The flash the page being rendered received (see [`take_flash_middleware`]).
pub fn flash() -> Option<Flash> {
    use_context::<Parts>()?.extensions.get::<Flash>().cloned()
}

/// Leaves a confirmation for the next page this session opens (shown once).
pub async fn leave_notice(notice: Notice) {
    match leptos_axum::extract::<Session>().await {
        Ok(session) => {
            if let Err(e) = session.insert(NOTICE_KEY, notice).await {
                tracing::error!(error = %e, "could not keep the confirmation for the next page");
            }
        }
        Err(e) => tracing::error!(error = ?e, "session unavailable for the confirmation"),
    }
}

/// The confirmation the page being rendered received (see [`take_flash_middleware`]).
pub fn notice() -> Option<Notice> {
    use_context::<Parts>()?.extensions.get::<Notice>().cloned()
}

/// Moves a waiting flash (and confirmation) out of the session into the request of the page that shows it,
/// so it is shown exactly once and the removal is saved before the page streams.
pub async fn take_flash_middleware(
    session: Session,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if req.method() == http::Method::GET && accepts_html(req.headers()) {
        match session.remove::<Flash>(FLASH_KEY).await {
            Ok(Some(flash)) => {
                req.extensions_mut().insert(flash);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the flash from the session"),
        }
        match session.remove::<Notice>(NOTICE_KEY).await {
            Ok(Some(notice)) => {
                req.extensions_mut().insert(notice);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the confirmation from the session"),
        }
    }
    next.run(req).await
}

fn accepts_html(headers: &http::HeaderMap) -> bool {
    headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

pub fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|parts| accepts_html(&parts.headers))
}

fn set_status(status: u16) {
    if let (Some(options), Ok(status)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(status)) {
        options.set_status(status);
    }
}
