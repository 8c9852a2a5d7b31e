//! Campaigns: the dashboard, one campaign's page, and the owner's changes to it.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{CampaignCard, CampaignOverview};
#[cfg(feature = "ssr")]
use crate::urls;

/// Every campaign the signed-in user owns or is an active member of; `status` may filter.
#[server(endpoint = "dashboard")]
pub async fn dashboard(#[server(default)] status: String) -> Result<Vec<CampaignCard>, AppError> {
    use crate::model::CampaignStatus;
    use crate::server::{db::campaigns, request};
    let result = async {
        let user = request::require_user().await?;
        let status = match status.as_str() {
            "" | "all" => None,
            s => Some(CampaignStatus::parse(s).ok_or_else(|| AppError::invalid("status", "Unknown status."))?),
        };
        let mut tx = request::state()?.db.begin_reading_as(user.id).await?;
        let cards = campaigns::dashboard(&mut tx, status).await?;
        tx.commit().await?;
        Ok(cards)
    }
    .await;
    request::respond(result)
}

#[server(endpoint = "campaign")]
pub async fn campaign(id: Uuid) -> Result<CampaignOverview, AppError> {
    use crate::model::Role;
    use crate::server::db::campaigns;
    in_campaign!(read id, Role::Viewer, |_, tx, access| {
        campaigns::overview(&mut tx, &access).await?
    })
}

#[server(endpoint = "create_campaign")]
pub async fn create_campaign(
    title: String,
    #[server(default)] description: String,
    #[server(default)] storyteller_name: String,
    #[server(default)] storyteller_email: String,
    #[server(default)] relationship_type: String,
    #[server(default)] goal_stories: String,
) -> Result<(), AppError> {
    use crate::server::{db::campaigns, limits, request};
    let (typed, input) =
        campaign_fields(&title, &description, &storyteller_name, &storyteller_email, &relationship_type, &goal_stories);
    let result = async {
        let user = request::require_user().await?;
        let input = input?;
        let state = request::state()?;
        let active = limits::Counted::ActiveCampaigns;
        limits::ensure_tier_allows(&state.db, state.quota.tiers, user.id, active).await?;
        let mut tx = state.db.begin_as(user.id).await?;
        let id = campaigns::create(&mut tx, &input).await?;
        tx.commit().await?;
        leptos_axum::redirect(&urls::campaign(id));
        Ok(())
    }
    .await;
    request::respond_to_form("create_campaign", typed, "/campaigns/new", result).await
}

#[server(endpoint = "update_campaign")]
pub async fn update_campaign(
    id: Uuid,
    title: String,
    #[server(default)] description: String,
    #[server(default)] storyteller_name: String,
    #[server(default)] storyteller_email: String,
    #[server(default)] relationship_type: String,
    #[server(default)] goal_stories: String,
) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{authz::CampaignAccess, db::campaigns, request};
    let (typed, input) =
        campaign_fields(&title, &description, &storyteller_name, &storyteller_email, &relationship_type, &goal_stories);
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, id, Role::Owner).await?;
        let input = input?;
        campaigns::update(&mut tx, &access, &input).await?;
        tx.commit().await?;
        leptos_axum::redirect(&urls::campaign(id));
        Ok(())
    }
    .await;
    request::respond_to_form("update_campaign", typed, &urls::campaign_edit(id), result).await
}

#[server(endpoint = "set_campaign_status")]
pub async fn set_campaign_status(id: Uuid, status: String) -> Result<(), AppError> {
    use crate::model::{CampaignStatus, Role};
    use crate::server::{authz::CampaignAccess, db::campaigns, request};
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, id, Role::Owner).await?;
        let status = CampaignStatus::parse(&status)
            .ok_or_else(|| AppError::invalid("status", "Please choose one of the listed statuses."))?;
        let counted = |s: &str| !matches!(s, "archived" | "completed");
        let was: Option<String> = campaigns::status(&mut tx, &access).await?;
        if counted(status.as_str()) && !counted(was.as_deref().unwrap_or("active")) {
            let state = request::state()?;
            let active = crate::server::limits::Counted::ActiveCampaigns;
            crate::server::limits::ensure_tier_allows(&state.db, state.quota.tiers, user.id, active).await?;
        }
        campaigns::set_status(&mut tx, &access, status).await?;
        tx.commit().await?;
        leptos_axum::redirect(&urls::campaign(id));
        Ok(())
    }
    .await;
    request::respond_to_form("set_campaign_status", Vec::new(), &urls::campaign_edit(id), result).await
}

#[server(endpoint = "delete_campaign")]
pub async fn delete_campaign(id: Uuid, #[server(default)] confirm_title: String) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{authz::CampaignAccess, db::campaigns, request};
    let typed = vec![("confirm_title".to_owned(), confirm_title.clone())];
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, id, Role::Owner).await?;
        campaigns::delete(&mut tx, &access, &confirm_title).await?;
        tx.commit().await?;
        // Rows first, then files: a failure here leaves unreachable files, never broken rows.
        request::state()?.storage.delete_prefix(&crate::server::keys::campaign_prefix(id)).await;
        leptos_axum::redirect("/dashboard");
        Ok(())
    }
    .await;
    request::respond_to_form("delete_campaign", typed, &urls::campaign_edit(id), result).await
}

/// The campaign form's fields: as typed (for a returned plain post) and parsed.
#[cfg(feature = "ssr")]
fn campaign_fields(
    title: &str,
    description: &str,
    storyteller_name: &str,
    storyteller_email: &str,
    relationship_type: &str,
    goal_stories: &str,
) -> (Vec<(String, String)>, Result<crate::model::CampaignInput, AppError>) {
    let typed = [
        ("title", title),
        ("description", description),
        ("storyteller_name", storyteller_name),
        ("storyteller_email", storyteller_email),
        ("relationship_type", relationship_type),
        ("goal_stories", goal_stories),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let input = crate::model::CampaignInput::parse(
        title,
        description,
        storyteller_name,
        storyteller_email,
        relationship_type,
        goal_stories,
    );
    (typed, input)
}
