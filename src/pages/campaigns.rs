//! Campaigns: the story-collection projects a user belongs to.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::require_user::RequireUser;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    view! {
        <Title text="Campaigns · MyStoryFlow"/>
        <RequireUser children=|_| view! {
            <h1>"Campaigns"</h1>
            <section class="card empty-state">
                <p>"You have no campaigns yet."</p>
            </section>
        }/>
    }
}
