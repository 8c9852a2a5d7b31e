//! The welcome page.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::Session;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Title text="MyStoryFlow — keep the family's stories"/>
        <section class="hero">
            <h1>"Keep the stories that made your family."</h1>
            <p class="lead">
                "Gather a parent's or grandparent's life stories — written, spoken and \
                 illustrated with photos — and turn them into a printed book the whole family keeps."
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(_)) => view! {
                            <p><a class="button" href="/dashboard">"Go to your dashboard"</a></p>
                        }.into_any(),
                        _ => view! {
                            <p class="actions">
                                <a class="button" href="/signup">"Create your free account"</a>
                                <a class="button button--quiet" href="/login">"Log in"</a>
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="steps" aria-label="How it works">
            <article class="card">
                <h2>"Invite the family"</h2>
                <p>"Start a campaign about your storyteller and invite relatives to read and add."</p>
            </article>
            <article class="card">
                <h2>"Write it or say it"</h2>
                <p>"Type a story, or record your storyteller telling it: their own voice stays with the words."</p>
            </article>
            <article class="card">
                <h2>"A question a week"</h2>
                <p>"Your storyteller gets one question a week, by email or on printed cards, and answers by talking or writing: no account, no password."</p>
            </article>
            <article class="card">
                <h2>"Make the book"</h2>
                <p>"Arrange the stories and photos, preview every page, and download a print-ready PDF."</p>
            </article>
        </section>
    }
}
