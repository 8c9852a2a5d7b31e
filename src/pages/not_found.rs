//! The page for addresses that lead nowhere (answered with HTTP 404).
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"We couldn't find that page"</h1>
            <p>"The link may be old, or the page may have moved."</p>
            <p><a class="button" href="/">"Go to the home page"</a></p>
        </section>
    }
}
