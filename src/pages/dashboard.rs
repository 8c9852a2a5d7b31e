//! The first page after logging in: every campaign the person belongs to.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::require_user::RequireUser;
use crate::pages::campaigns::list::{CampaignList, CampaignListData};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let list = CampaignListData::new();
    view! {
        <Title text="Dashboard · MyStoryFlow"/>
        <RequireUser children=move |user| view! {
            <div class="page-heading">
                <h1>"Welcome, " {user.name}</h1>
                <a class="button" href="/campaigns/new">"Start a new campaign"</a>
            </div>
            <CampaignList list/>
        }/>
    }
}
