//! Campaigns: the list (also the dashboard's), one campaign's page, and the owner's forms.
pub mod form;
pub mod list;
pub mod show;

use uuid::Uuid;

/// The campaign id in the address, if it is one.
pub fn campaign_id_param() -> leptos::prelude::Memo<Option<Uuid>> {
    use leptos::prelude::*;
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| Uuid::parse_str(&id).ok()))
}

pub fn date(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%-d %B %Y").to_string()
}
