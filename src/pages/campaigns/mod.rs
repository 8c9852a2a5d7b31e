//! Campaigns: the list (also the dashboard's), one campaign's page, and the owner's forms.
pub mod form;
pub mod list;
pub mod show;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::campaigns::campaign;
use crate::error::AppError;
use crate::model::CampaignOverview;

/// The campaign named by the address (`/campaigns/:id…`); an id that is not a uuid is
/// simply not found.
pub fn campaign_in_address() -> Resource<Result<CampaignOverview, AppError>> {
    let params = leptos_router::hooks::use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => campaign(id).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

pub fn date(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%-d %B %Y").to_string()
}
