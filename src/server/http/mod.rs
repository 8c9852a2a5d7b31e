//! Every HTTP entry point that is neither a page nor a server function: media uploads and
//! downloads, the listening link's recording, the print provider's file downloads and
//! webhook, the health check. [`ROUTES`] is the one table
//! of them, with who may use each; the router is built from it, and the route matrix test
//! (`tests/integration/routes.rs`) exercises every entry for every kind of visitor and fails
//! when one is missing from its own list.
pub mod avatar;
pub mod bench;
pub mod health;
pub mod inbound;
pub mod listen;
pub mod media;
pub mod orders;
pub mod questions;
pub mod storyteller;

use axum::{
    body::Body,
    extract::DefaultBodyLimit,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post, MethodRouter},
    Router,
};

use super::media::internal;
use super::state::AppState;
use crate::error::AppError;
use crate::model::{Flash, Role};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteAccess {
    /// Anyone, signed in or not.
    Anyone,
    /// Active members of the campaign in the address with at least this role (401 signed
    /// out, 404 for everyone else, 403 below the role).
    Member(Role),
    /// The signed-in person whose own data it is (401 signed out, 404 for anyone else).
    Yours,
    /// Anyone signed in, acting on their own account (401 signed out).
    SignedIn,
    /// The person, and everyone who shares a campaign with them as an active member (401
    /// signed out, 404 for anyone else).
    SharesACampaign,
    /// The person whose own data it is, and staff (401 signed out, 404 for anyone else).
    YoursOrStaff,
    /// Anyone holding a valid signed link (a typed proof from its verifier), no account.
    SignedLink,
    /// Anyone holding the campaign's live storyteller link; 404 for any other token.
    StorytellerLink,
    /// The print provider, proven by its signature over the request's body (Lulu's
    /// webhook); 401 for anyone else, signed in or not.
    PrintProvider,
    /// An inbound-mail service holding MSF_INBOUND_SECRET (`X-Inbound-Secret`); 401 for
    /// anyone else, signed in or not.
    MailService,
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: RouteAccess,
    handler: fn() -> MethodRouter<AppState>,
}

pub const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/healthz", access: RouteAccess::Anyone, handler: || get(health::healthz) },
    Route {
        method: "GET",
        path: "/media/campaigns/{campaign_id}/stories/{story_id}/audio",
        access: RouteAccess::Member(Role::Viewer),
        handler: || get(media::download_audio),
    },
    Route {
        method: "POST",
        path: "/media/campaigns/{campaign_id}/stories/{story_id}/audio",
        access: RouteAccess::Member(Role::Contributor),
        handler: || post(media::upload_audio),
    },
    Route {
        method: "POST",
        path: "/media/campaigns/{campaign_id}/photos",
        access: RouteAccess::Member(Role::Contributor),
        handler: || post(media::upload_photos),
    },
    Route {
        method: "GET",
        path: "/media/campaigns/{campaign_id}/photos/{photo_id}/{variant}",
        access: RouteAccess::Member(Role::Viewer),
        handler: || get(media::download_photo),
    },
    Route {
        method: "GET",
        path: "/media/campaigns/{campaign_id}/books/{book_id}/renders/{render_id}/{file}",
        access: RouteAccess::Member(Role::Viewer),
        handler: || get(media::download_render),
    },
    Route {
        method: "GET",
        path: "/media/campaigns/{campaign_id}/books/{book_id}/renders/{render_id}/pages/{page}",
        access: RouteAccess::Member(Role::Viewer),
        handler: || get(media::download_page),
    },
    Route {
        method: "POST",
        path: "/campaigns/{campaign_id}/questions/cards",
        // Members who may manage questions: the owner, and those the owner allows.
        access: RouteAccess::Member(Role::Owner),
        handler: || post(questions::question_cards),
    },
    Route {
        method: "POST",
        path: "/media/avatar",
        access: RouteAccess::SignedIn,
        handler: || post(avatar::upload_avatar),
    },
    Route {
        method: "GET",
        path: "/media/avatars/{user_id}/{avatar_id}",
        access: RouteAccess::SharesACampaign,
        handler: || get(avatar::download_avatar),
    },
    Route {
        method: "GET",
        path: "/media/exports/{export_id}/download",
        access: RouteAccess::Yours,
        handler: || get(media::download_export),
    },
    Route {
        method: "GET",
        path: "/media/orders/{order_id}/{file}",
        access: RouteAccess::YoursOrStaff,
        handler: || get(orders::download_order_file),
    },
    Route {
        method: "GET",
        path: "/print-files/{order_id}/{file}",
        access: RouteAccess::SignedLink,
        handler: || get(orders::download_print_file),
    },
    Route {
        method: "GET",
        path: "/media/listen/{token}",
        access: RouteAccess::SignedLink,
        handler: || get(listen::listen_audio),
    },
    Route {
        method: "POST",
        path: "/webhooks/lulu",
        access: RouteAccess::PrintProvider,
        handler: || post(orders::lulu_webhook).layer(DefaultBodyLimit::max(orders::WEBHOOK_BODY_LIMIT)),
    },
    Route {
        method: "POST",
        path: "/inbound/email",
        access: RouteAccess::MailService,
        handler: || post(inbound::receive).layer(DefaultBodyLimit::max(inbound::BODY_LIMIT)),
    },
    Route {
        method: "POST",
        path: "/s/{token}/answer",
        access: RouteAccess::StorytellerLink,
        handler: || post(storyteller::answer),
    },
    Route {
        method: "GET",
        path: "/s/{token}/photos/{photo_id}",
        access: RouteAccess::StorytellerLink,
        handler: || get(storyteller::photo),
    },
];

/// The most one request's body may carry on these routes: one recording at its limit, or
/// several photos. Counted while the body streams; each file has its own, lower limit too
/// (`media::stage`).
pub const UPLOAD_BODY_LIMIT: usize = super::media::MAX_AUDIO_BYTES as usize + 1024 * 1024;

/// The routes of [`ROUTES`].
pub fn routes() -> Router<AppState> {
    ROUTES
        .iter()
        .fold(Router::new(), |router, route| router.route(route.path, (route.handler)()))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// A failed form post to a route: JSON (the one error shape) for the page's own script, or,
/// for a plain HTML form, the error kept in the session and a redirect back to the form.
struct FormFailure {
    /// The form's name, for the page to show the error beside it.
    form: &'static str,
    error: AppError,
    back: Option<String>,
    session: Option<tower_sessions::Session>,
    /// What was typed, shown again.
    values: Vec<(String, String)>,
}

impl FormFailure {
    async fn into_response(self) -> Response {
        if let (Some(back), Some(session)) = (self.back, self.session) {
            let flash = Flash { form: self.form.into(), error: self.error, values: self.values };
            if let Err(err) = session.insert("flash", flash).await {
                tracing::error!(error = %err, "could not keep the upload error for the next page");
            }
            return Redirect::to(&back).into_response();
        }
        self.error.into_response()
    }
}

/// Streams a stored file, honouring a single HTTP Range (audio seeking needs it).
pub async fn serve(state: &AppState, key: &str, mime: &str, headers: &HeaderMap, cache: &'static str) -> Response {
    let size = match state.storage.size(key).await {
        Ok(size) => size,
        Err(object_store::Error::NotFound { .. }) => return AppError::NotFound.into_response(),
        Err(err) => return internal(err).into_response(),
    };
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(value) => match http_range_header::parse_range_header(value).and_then(|r| r.validate(size)) {
            Ok(ranges) if ranges.len() == 1 => Some((*ranges[0].start(), *ranges[0].end())),
            _ => {
                return (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{size}"))])
                    .into_response()
            }
        },
    };
    let download = match state.storage.get(key, range).await {
        Ok(d) => d,
        Err(err) => return internal(err).into_response(),
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
