//! The HTTP application: pages, server functions, static files, sessions and login.
use axum::{
    extract::{Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    Router,
};
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{convert::Infallible, sync::OnceLock};

use tower::Service;
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer, services::ServeDir, trace::TraceLayer};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use super::auth::{AuthSession, Backend};
use super::db::sessions::{Sessions, AUTH_DATA_KEY};
use super::security::{self, PublicOrigin};
use super::{request, state::AppState};
use crate::app::{is_member_page, shell, App};
use crate::error::AppError;

// Shown when a handler panics: a bug of ours, so the person gets a calm page and the log
// gets the details.
const PANIC_PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Something went wrong · MyStoryFlow</title>
<link rel="stylesheet" href="{STYLESHEET}"></head><body><main class="page">
<section class="card narrow" role="alert"><h1>Something went wrong on our side</h1>
<p>Please try again in a moment. Nothing you saved has been lost.</p>
<p><a class="button" href="/">Go to the home page</a></p></section></main></body></html>"#;

// Shown when the database cannot be reached (restarting after a crash, or down).
const UNAVAILABLE_PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back in a moment · MyStoryFlow</title>
<link rel="stylesheet" href="{STYLESHEET}"></head><body><main class="page">
<section class="card narrow" role="alert"><h1>MyStoryFlow will be back in a moment</h1>
<p>It can't reach its database just now. Nothing you saved has been lost.</p>
<p>Please try again in a minute.</p>
<p><a class="button" href="">Try again</a></p></section></main></body></html>"#;

/// PANIC_PAGE and UNAVAILABLE_PAGE with this build's stylesheet address, made once.
static ERROR_PAGES: OnceLock<(String, String)> = OnceLock::new();

fn error_pages(options: &LeptosOptions) -> &'static (String, String) {
    ERROR_PAGES.get_or_init(|| {
        let href = super::assets::stylesheet_href(options);
        (PANIC_PAGE.replace("{STYLESHEET}", &href), UNAVAILABLE_PAGE.replace("{STYLESHEET}", &href))
    })
}

fn error_page(which: fn(&(String, String)) -> &String, template: &str) -> String {
    match ERROR_PAGES.get() {
        Some(pages) => which(pages).clone(),
        None => template.replace("{STYLESHEET}", "/pkg/mystoryflow.css"),
    }
}

pub const SESSION_COOKIE: &str = "msf_session";
const API_BODY_LIMIT: usize = 16 * 1024 * 1024;

pub fn build(state: AppState, secure_cookies: bool) -> Router {
    error_pages(&state.leptos_options);
    let routes = route_list();
    let session_layer = SessionManagerLayer::new(Sessions::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_secure(secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)));
    let auth_layer = AuthManagerLayerBuilder::new(Backend::new(state.db.clone()), session_layer)
        .with_data_key(AUTH_DATA_KEY)
        .build();

    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let mut router = Router::new().merge(super::http::routes());
    if std::env::var_os("MSF_BENCH_ROUTES").is_some_and(|v| v == "1") {
        tracing::warn!("benchmark baseline routes are on (/bench/…): for scripts/bench.sh only");
        router = router.merge(super::http::bench::routes());
    }
    let router = router
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(state.leptos_options.clone(), static_cache_control))
                .service(static_files_or_not_found(&state, context)),
        )
        // Room for the longest story (500,000 characters, form-encoded) so that an overlong
        // one gets its explanation from validation rather than a bare 413.
        .layer(axum::extract::DefaultBodyLimit::max(API_BODY_LIMIT))
        .layer(middleware::from_fn(redirect_guests_to_login))
        .layer(middleware::from_fn(status_from_app_error))
        .layer(middleware::from_fn(request::take_flash_middleware))
        .layer(auth_layer)
        .layer(middleware::from_fn(super::auth::user_read_with_session))
        .layer(middleware::from_fn(unavailable_while_the_database_is_down))
        .layer(middleware::from_fn_with_state(SiteFiles::new(&state.leptos_options), site_files_first))
        .layer(CompressionLayer::new().compress_when(compressible()))
        .layer(middleware::from_fn_with_state(PublicOrigin::new(&state.public_url), security::refuse_cross_site_writes))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(panic_page));
    security::headers(secure_cookies).into_iter().fold(router, |router, layer| router.layer(layer)).with_state(state)
}

/// Pages, server-function answers, scripts and styles are compressed; media is not:
/// recordings are served with byte ranges, photos and PDFs are compressed already. Nor is
/// the wasm bundle here (compressed anew on every request it would cost seconds of CPU): its
/// gzip copy is made once at start-up (`server::assets`) and served by `ServeDir`.
fn compressible() -> impl tower_http::compression::Predicate {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    DefaultPredicate::new()
        .and(NotForContentType::const_new("application/wasm"))
        .and(NotForContentType::const_new("audio/"))
        .and(NotForContentType::const_new("video/"))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/zip"))
}

/// The app's routes, found by rendering it once. Only ever once per process: Leptos pauses
/// every resource process-wide while it generates (leptos-rs/leptos#4773), so generating again
/// while a page renders (as parallel tests would) can hang that page forever.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Files under the site root (the browser bundle, CSS, icons); anything else is the app's
/// 404 page, rendered whole like every other page.
fn static_files_or_not_found(
    state: &AppState,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> ServeDir<impl Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone> {
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(context, move || shell(options.clone()));
    let not_found = tower::service_fn(move |req: Request| {
        let render = render.clone();
        async move { Ok::<_, Infallible>(render(req).await) }
    });
    ServeDir::new(&*state.leptos_options.site_root).precompressed_gzip().fallback(not_found)
}

/// The bundle's content-named files never change: cached for a year without asking again, so
/// a returning storyteller on a slow phone downloads nothing. Every other file (including the
/// bundle under plain names) is revalidated, a cheap 304, so a new release never meets an old
/// wasm.
async fn static_cache_control(State(options): State<LeptosOptions>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    cache_control(&path, &options, &mut response);
    response
}

fn cache_control(path: &str, options: &LeptosOptions, response: &mut Response) {
    let forever = options.hash_files && super::assets::is_content_named(path, options);
    let value = if forever { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().entry(http::header::CACHE_CONTROL).or_insert(http::HeaderValue::from_static(value));
}

#[derive(Clone)]
struct SiteFiles {
    files: ServeDir,
    options: LeptosOptions,
}

impl SiteFiles {
    fn new(options: &LeptosOptions) -> Self {
        SiteFiles { files: ServeDir::new(&*options.site_root).precompressed_gzip(), options: options.clone() }
    }
}

/// Files under the site root (the stylesheet, the bundle, enhance.js, icons) are served
/// before the session and login layers: a file reads no session (with a cookie that cost two
/// queries per file), and it still arrives while the database is down, so the calm
/// "unavailable" page keeps its style. Only a path whose last segment has a dot is looked
/// up: no page's does. Anything not found goes on to the app.
async fn site_files_first(State(site): State<SiteFiles>, req: Request, next: Next) -> Response {
    use tower::ServiceExt;
    let file_like = matches!(*req.method(), http::Method::GET | http::Method::HEAD)
        && req.uri().path().rsplit('/').next().is_some_and(|last| last.contains('.'));
    if !file_like {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let probe = Request::from_parts(parts.clone(), axum::body::Body::empty());
    let Ok(found) = site.files.oneshot(probe).await;
    if found.status() == http::StatusCode::NOT_FOUND {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let mut response = found.map(axum::body::Body::new);
    cache_control(parts.uri.path(), &site.options, &mut response);
    response
}

/// A server function that fails before its body runs (say, an id that is not a uuid) is
/// answered 500 by server_fn; the status should follow the error (400 for a bad request).
async fn status_from_app_error(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<crate::error::AppError>(&bytes) {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The session and login layers answer a bare 500 (no body, no content type) when they cannot
/// load a session; their store is the database, so the person gets a calm 503 instead (in the
/// shape the caller reads: a page, a server function's error, or the JSON error), within 2 s
/// (the pool gives up after 1). Not only while the database is still down: a private cluster
/// restarted by its supervisor may be back before the answer goes out, and the request still
/// failed for that reason. Everything of ours answers with a content type.
async fn unavailable_while_the_database_is_down(req: Request, next: Next) -> Response {
    let wants_html =
        req.headers().get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let server_fn = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if response.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || response.headers().contains_key(http::header::CONTENT_TYPE)
    {
        return response;
    }
    tracing::warn!("the session store failed: answering 503");
    let status = http::StatusCode::SERVICE_UNAVAILABLE;
    let retry = [(http::header::RETRY_AFTER, "30")];
    if wants_html {
        (status, retry, axum::response::Html(error_page(|pages| &pages.1, UNAVAILABLE_PAGE))).into_response()
    } else if server_fn {
        let body = serde_json::to_string(&AppError::Unavailable).unwrap_or_default();
        (status, retry, [(http::header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        (retry, AppError::Unavailable.into_response()).into_response()
    }
}

/// Member pages answer a logged-out visitor with a real redirect to /login (and back after).
async fn redirect_guests_to_login(auth: AuthSession, req: Request, next: Next) -> Response {
    if req.method() == http::Method::GET && auth.user.is_none() && is_member_page(req.uri().path()) {
        let here = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        return Redirect::to(&crate::app::login_url(here)).into_response();
    }
    next.run(req).await
}

fn panic_page(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    (http::StatusCode::INTERNAL_SERVER_ERROR, axum::response::Html(error_page(|pages| &pages.0, PANIC_PAGE)))
        .into_response()
}
