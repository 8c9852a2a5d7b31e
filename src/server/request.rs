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

/// Logs the user in with a new session id (no session fixation). axum-login cycles the id
/// only for a session that was logged out, so a logged-in one is cycled here.
pub async fn log_in(user: &AuthUser) -> Result<(), AppError> {
    let mut auth = auth_session().await?;
    let failed = |err: &dyn std::fmt::Display| {
        tracing::error!(error = %err, "could not store the login in the session");
        AppError::Internal
    };
    if auth.user.is_some() {
        auth.session.cycle_id().await.map_err(|e| failed(&e))?;
    }
    // Every way in (password, emailed link, reset) keeps an account that was to be deleted.
    let state = state()?;
    if super::db::deletion::cancel(&state.db, user.id).await? {
        tracing::info!(user_id = %user.id, "a login cancelled an account deletion");
        super::account_mail::deletion_cancelled(&user.email, &user.name, &state.public_url).queue_on(&state.db).await?;
    }
    auth.login(user).await.map_err(|e| failed(&e))
}

const LINK_SIGN_IN_KEY: &str = "signed_in_by_link_at";

/// Remembers that this session began from an emailed link: proof of the address, which
/// stands in for the password for a while (people who can't manage passwords can still leave).
pub async fn mark_signed_in_by_link() -> Result<(), AppError> {
    let auth = auth_session().await?;
    auth.session.insert(LINK_SIGN_IN_KEY, chrono::Utc::now().timestamp()).await.map_err(|err| {
        tracing::error!(error = %err, "could not store the sign-in link's time");
        AppError::Internal
    })
}

/// Whether this session signed in by emailed link within [`LINK_PROOF_MINUTES`](crate::model::account::LINK_PROOF_MINUTES).
pub async fn recently_signed_in_by_link() -> Result<bool, AppError> {
    let auth = auth_session().await?;
    let at = auth.session.get::<i64>(LINK_SIGN_IN_KEY).await.unwrap_or_default();
    Ok(at.is_some_and(|at| chrono::Utc::now().timestamp() - at < crate::model::account::LINK_PROOF_MINUTES * 60))
}

/// The client's address for rate limits (see [`limits::client_ip`](super::limits::client_ip)).
pub async fn client_ip() -> Option<std::net::IpAddr> {
    let parts = use_context::<Parts>()?;
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let header = state().ok()?.client_ip_header;
    super::limits::client_ip(&parts.headers, header.as_ref(), peer)
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
    // Someone signed in gets every word back (a failed save must not lose a story); a
    // stranger's typed values are kept only as long as a real name or address can be, so a
    // failed anonymous post cannot park megabytes in the session table.
    let signed_in = auth_session().await.is_ok_and(|auth| auth.user.is_some());
    let values = if signed_in { typed } else { cap_typed(typed) };
    let flash = Flash { form: form.to_owned(), error: err.clone(), values };
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

/// What a signed-out visitor's failed form keeps of each value.
const ANONYMOUS_VALUE_CHARS: usize = 500;

fn cap_typed(typed: Vec<(String, String)>) -> Vec<(String, String)> {
    typed.into_iter().take(8).map(|(name, value)| (name, value.chars().take(ANONYMOUS_VALUE_CHARS).collect())).collect()
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

/// The confirmation waiting for this page: the one a page load received (see
/// [`take_flash_middleware`]), or, when a hydrated page reloads its data after a form
/// (a server-function call, not a page load), the one still in the session.
pub async fn notice() -> Option<Notice> {
    if let Some(notice) = use_context::<Parts>()?.extensions.get::<Notice>() {
        return Some(notice.clone());
    }
    if is_plain_form_post() {
        return None;
    }
    let session = leptos_axum::extract::<Session>().await.ok()?;
    take::<Notice>(&session, NOTICE_KEY).await
}

/// Moves a waiting flash (and confirmation) out of the session into the request of the page that shows it,
/// so it is shown exactly once and the removal is saved before the page streams.
///
/// A page view is not a write: the session is saved only when a flash or confirmation was
/// taken, or once a day so a signed-in reader's 14 days of inactivity start again.
pub async fn take_flash_middleware(
    session: Session,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if req.method() == http::Method::GET && accepts_html(req.headers()) {
        if let Some(flash) = take::<Flash>(&session, FLASH_KEY).await {
            req.extensions_mut().insert(flash);
        }
        if let Some(notice) = take::<Notice>(&session, NOTICE_KEY).await {
            req.extensions_mut().insert(notice);
        }
    }
    keep_alive(&session).await;
    next.run(req).await
}

/// Removes `key` from the session if it is there; reading alone does not mark the session
/// for saving (tower-sessions' `remove` would, even for a missing key).
async fn take<T: serde::de::DeserializeOwned>(session: &Session, key: &str) -> Option<T> {
    match session.get_value(key).await {
        Ok(None) => None,
        Ok(Some(_)) => session.remove::<T>(key).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, key, "could not take a value from the session");
            None
        }),
        Err(e) => {
            tracing::warn!(error = %e, key, "could not read the session");
            None
        }
    }
}

const SEEN_KEY: &str = "seen_on";

/// Marks a non-empty session as seen today, which saves it (and so extends its expiry)
/// at most once a day.
async fn keep_alive(session: &Session) {
    if session.is_empty().await {
        return;
    }
    let today = chrono::Utc::now().date_naive().to_string();
    match session.get::<String>(SEEN_KEY).await {
        Ok(Some(day)) if day == today => {}
        _ => {
            if let Err(e) = session.insert(SEEN_KEY, today).await {
                tracing::warn!(error = %e, "could not mark the session as seen");
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strangers_typed_values_are_capped() {
        let huge = "x".repeat(16 * 1024 * 1024);
        let many: Vec<_> = (0..100).map(|i| (format!("f{i}"), huge.clone())).collect();
        let kept = cap_typed(many);
        assert_eq!(kept.len(), 8);
        assert!(kept.iter().all(|(_, v)| v.chars().count() == ANONYMOUS_VALUE_CHARS));
        let short = vec![("email".to_owned(), "ann@example.com".to_owned())];
        assert_eq!(cap_typed(short.clone()), short, "real values are kept whole");
    }
}
