//! A calm explanation of what went wrong and what to do next; never internals.
use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    // Rendered on the server, the page answers with the error's own status (e.g. 404).
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(error.status()))
    {
        response.set_status(status);
    }
    let advice = match &error {
        AppError::Unauthenticated => "Your session may have ended. Log in again to carry on.",
        AppError::NotFound => "The link may be old, or the page may have been removed.",
        AppError::Forbidden => "Ask the campaign's owner if you think you should have access.",
        AppError::Network => "Your work is safe in this page; try again when you're back online.",
        _ => "If it keeps happening, please let us know.",
    };
    view! {
        <section class="card error-panel" role="alert">
            <h1>{error.to_string()}</h1>
            <p>{advice}</p>
            <p><a href="/">"Go to the home page"</a></p>
        </section>
    }
}
