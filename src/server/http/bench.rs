//! Baselines for `scripts/bench.sh`, mounted only when `MSF_BENCH_ROUTES=1` (never by
//! default, so they are not part of the app's entry points): TechEmpower's Fortunes test,
//! and the dashboard's own query rendered by hand without Leptos. Every page's figures are
//! then a ratio to the best-known web benchmark and to our own SQL, measured in one run.
use std::fmt::Write;

use axum::{extract::State, response::Html, routing::get, Router};

use crate::error::AppError;
use crate::server::{
    auth::AuthSession,
    db::{bench, campaigns},
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/bench/fortunes", get(fortunes)).route("/bench/dashboard-sql", get(dashboard_sql))
}

/// TechEmpower Fortunes: read the 12-row `fortune` table (bench.sh creates it), add a row,
/// sort by message, escape into an HTML table.
async fn fortunes(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut rows = bench::fortunes(&state.db).await?;
    rows.push((0, "Additional fortune added at request time.".to_owned()));
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    let mut html = String::with_capacity(1200);
    html.push_str(
        "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>",
    );
    for (id, message) in rows {
        let _ = write!(html, "<tr><td>{id}</td><td>{}</td></tr>", html_escape::encode_text(&message));
    }
    html.push_str("</table></body></html>");
    Ok(Html(html))
}

/// The dashboard's query, as the signed-in user under row-level security, in a hand-written
/// HTML list.
async fn dashboard_sql(State(state): State<AppState>, auth: AuthSession) -> Result<Html<String>, AppError> {
    let user = auth.user.ok_or(AppError::Unauthenticated)?;
    let mut tx = state.db.begin_reading_as(user.id).await?;
    let cards = campaigns::dashboard(&mut tx, None).await?;
    tx.commit().await?;
    let mut html = String::with_capacity(256 + cards.len() * 128);
    html.push_str("<!DOCTYPE html><html><head><title>Dashboard</title></head><body><ul>");
    for card in cards {
        let _ = write!(
            html,
            "<li><a href=\"/campaigns/{}\">{}</a> {} stories, {} words</li>",
            card.id,
            html_escape::encode_text(&card.title),
            card.story_count,
            card.total_words
        );
    }
    html.push_str("</ul></body></html>");
    Ok(Html(html))
}
