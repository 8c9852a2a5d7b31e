//! The HTTP application: pages, server functions, static files, sessions and login.
use axum::{
    extract::Request,
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use super::auth::{AuthSession, Backend};
use super::{health, request, state::AppState};
use crate::app::{is_member_page, shell, App};

pub const SESSION_COOKIE: &str = "msf_session";

pub fn build(state: AppState, sessions: PostgresStore, secure_cookies: bool) -> Router {
    let routes = generate_route_list(App);
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name(SESSION_COOKIE)
        .with_secure(secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)));
    let auth_layer =
        AuthManagerLayerBuilder::new(Backend::new(state.db.clone()), session_layer).build();

    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    Router::new()
        .route("/healthz", get(health::healthz))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(middleware::from_fn(redirect_guests_to_login))
        .layer(middleware::from_fn(request::take_flash_middleware))
        .layer(auth_layer)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Member pages answer a logged-out visitor with a real redirect to /login (and back after).
async fn redirect_guests_to_login(auth: AuthSession, req: Request, next: Next) -> Response {
    if req.method() == http::Method::GET && auth.user.is_none() && is_member_page(req.uri().path())
    {
        let here = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        return Redirect::to(&crate::app::login_url(here)).into_response();
    }
    next.run(req).await
}
