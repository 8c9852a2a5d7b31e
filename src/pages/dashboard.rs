//! The first page after logging in.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::require_user::RequireUser;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard · MyStoryFlow"/>
        <RequireUser children=|user| view! {
            <h1>"Welcome, " {user.name}</h1>
            <section class="card empty-state">
                <h2>"Your campaigns will appear here"</h2>
                <p>
                    "A campaign gathers the stories of one storyteller — “Dad's Life Stories”, say. \
                     Creating campaigns arrives in the next release."
                </p>
            </section>
        }/>
    }
}
