//! Books designed from a campaign's stories.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::require_user::RequireUser;

#[component]
pub fn BooksPage() -> impl IntoView {
    view! {
        <Title text="Books · MyStoryFlow"/>
        <RequireUser children=|_| view! {
            <h1>"Books"</h1>
            <section class="card empty-state">
                <p>"Once a campaign has stories, you can design its book here."</p>
            </section>
        }/>
    }
}
