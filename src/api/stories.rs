//! Stories: the list, one story, writing and autosaving it, its status, order, recording's
//! transcription, and search across every story the user may see.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::story::{SaveOutcome, SearchPage, StoryDetail, StoryList, TranscriptionState};
#[cfg(feature = "ssr")]
use crate::urls;

#[server(endpoint = "stories")]
pub async fn stories(campaign_id: Uuid) -> Result<StoryList, AppError> {
    use crate::model::Role;
    use crate::server::db::stories;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        stories::list(&mut tx, &access).await?
    })
}

#[server(endpoint = "story")]
pub async fn story(campaign_id: Uuid, story_id: Uuid) -> Result<StoryDetail, AppError> {
    use crate::model::Role;
    use crate::server::db::stories;
    in_campaign!(read campaign_id, Role::Viewer, |state, tx, access| {
        let mut story = stories::detail(&mut tx, &access, story_id, state.transcription_enabled).await?;
        story.content_html = crate::server::markdown::to_safe_html(&story.content);
        story
    })
}

#[server(endpoint = "create_story")]
pub async fn create_story(
    campaign_id: Uuid,
    title: String,
    #[server(default)] category: String,
    #[server(default)] custom_category: String,
) -> Result<(), AppError> {
    use crate::model::{story::StoryText, Role};
    use crate::server::{authz::CampaignAccess, db::stories, request};
    let typed = vec![
        ("title".to_owned(), title.clone()),
        ("category".to_owned(), category.clone()),
        ("custom_category".to_owned(), custom_category.clone()),
    ];
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        let text = StoryText::parse(&title, "", &category, &custom_category)?;
        let id = stories::create(&mut tx, &access, &text).await?;
        tx.commit().await?;
        leptos_axum::redirect(&urls::story_edit(campaign_id, id));
        Ok(())
    }
    .await;
    request::respond_to_form("create_story", typed, &urls::new_story(campaign_id), result).await
}

/// Autosave (and the Save button). `version` is the one the editor started from; a newer
/// one in the database means someone else saved, answered with their text unless
/// `overwrite` says the person chose to keep theirs.
#[server(endpoint = "save_story")]
#[allow(clippy::too_many_arguments)]
pub async fn save_story(
    campaign_id: Uuid,
    story_id: Uuid,
    version: i32,
    title: String,
    #[server(default)] content: String,
    #[server(default)] category: String,
    #[server(default)] custom_category: String,
    #[server(default)] overwrite: bool,
) -> Result<SaveOutcome, AppError> {
    use crate::model::{story::StoryText, Role};
    use crate::server::{authz::CampaignAccess, db::stories, request};
    let typed = vec![
        ("title".to_owned(), title.clone()),
        ("content".to_owned(), content.clone()),
        ("category".to_owned(), category.clone()),
        ("custom_category".to_owned(), custom_category.clone()),
    ];
    let plain = request::is_plain_form_post();
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        let text = StoryText::parse(&title, &content, &category, &custom_category)?;
        let outcome = stories::save(&mut tx, &access, story_id, version, overwrite, &text).await?;
        tx.commit().await?;
        if plain {
            match outcome {
                SaveOutcome::Saved { .. } => leptos_axum::redirect(&urls::story(campaign_id, story_id)),
                SaveOutcome::Conflict { .. } => {
                    return Err(AppError::Conflict(CONFLICT_MESSAGE.into()));
                }
            }
        }
        Ok(outcome)
    }
    .await;
    let back = urls::story_edit(campaign_id, story_id);
    request::respond_to_form("save_story", typed, &back, result).await
}

pub const CONFLICT_MESSAGE: &str = "This story changed since you opened it: someone else saved it. \
    Your text is still below. Copy anything you need, then reload the page to see their version.";

#[server(endpoint = "set_story_status")]
pub async fn set_story_status(campaign_id: Uuid, story_id: Uuid, status: String) -> Result<(), AppError> {
    use crate::model::{story::StoryStatus, Role};
    use crate::server::{db::stories, notify};
    let back = urls::story(campaign_id, story_id);
    in_campaign!("set_story_status", campaign_id, Role::Contributor, back, Vec::new(), |state, tx, access| {
        let status =
            StoryStatus::parse(&status).ok_or_else(|| AppError::invalid("status", "Please choose a listed status."))?;
        if stories::set_status(&mut tx, &access, story_id, status).await? {
            notify::story_completed(&mut tx, &access, story_id, &state.signer, &state.public_url).await?;
        }
    })
}

#[server(endpoint = "delete_story")]
pub async fn delete_story(campaign_id: Uuid, story_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{authz::CampaignAccess, db::stories, request};
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        let mut tx = state.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
        let audio_key = stories::delete(&mut tx, &access, story_id).await?;
        tx.commit().await?;
        if let Some(key) = audio_key {
            state.storage.delete(&[key]).await;
        }
        leptos_axum::redirect(&urls::stories(campaign_id));
        Ok(())
    }
    .await;
    let back = urls::story_edit(campaign_id, story_id);
    request::respond_to_form("delete_story", Vec::new(), &back, result).await
}

/// Puts a story at `position` (0-based) in the book order. Owners only.
#[server(endpoint = "move_story")]
pub async fn move_story(campaign_id: Uuid, story_id: Uuid, position: i32) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::stories;
    let back = urls::story_in_list(campaign_id, story_id);
    in_campaign!("move_story", campaign_id, Role::Owner, back, Vec::new(), |_, tx, access| {
        stories::move_to(&mut tx, &access, story_id, position).await?;
    })
}

#[server(endpoint = "save_transcription")]
pub async fn save_transcription(campaign_id: Uuid, story_id: Uuid, transcription: String) -> Result<(), AppError> {
    use crate::model::{story::MAX_STORY_CONTENT_CHARS, Role};
    use crate::server::db::stories;
    let typed = vec![("transcription".to_owned(), transcription.clone())];
    let back = urls::story_edit(campaign_id, story_id);
    in_campaign!("save_transcription", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        if transcription.chars().count() > MAX_STORY_CONTENT_CHARS {
            return Err(AppError::invalid("transcription", "This transcription is too long to save."));
        }
        stories::save_transcription(&mut tx, &access, story_id, transcription.trim()).await?;
    })
}

/// Turns the transcription into the story text (`mode` = "replace") or adds it at the end
/// ("append").
#[server(endpoint = "use_transcription")]
pub async fn use_transcription(campaign_id: Uuid, story_id: Uuid, mode: String) -> Result<(), AppError> {
    use crate::model::{story::TranscriptionUse, Role};
    use crate::server::db::stories;
    let back = urls::story_edit(campaign_id, story_id);
    in_campaign!("use_transcription", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        let how = TranscriptionUse::parse(&mode).ok_or(AppError::BadRequest)?;
        stories::use_transcription(&mut tx, &access, story_id, how).await?;
    })
}

/// Where a recording's transcription stands: what the editor polls while it waits.
#[server(endpoint = "transcription_progress")]
pub async fn transcription_progress(campaign_id: Uuid, story_id: Uuid) -> Result<TranscriptionState, AppError> {
    use crate::model::Role;
    use crate::server::db::transcriptions;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        transcriptions::progress(&mut tx, &access, story_id).await?
    })
}

#[server(endpoint = "remove_audio")]
pub async fn remove_audio(campaign_id: Uuid, story_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{db::stories, request};
    let back = urls::story_edit(campaign_id, story_id);
    let file = in_campaign!("remove_audio", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        stories::remove_audio(&mut tx, &access, story_id).await?
    })?;
    if let Some(key) = file {
        request::state()?.storage.delete(&[key]).await;
    }
    Ok(())
}

/// Full-text search (web-search syntax: words, "phrases", -not, or) over every story the
/// user can see; `after` continues from the previous page's `next`.
#[server(endpoint = "search_stories")]
pub async fn search_stories(
    q: String,
    #[server(default)] campaign: Option<Uuid>,
    #[server(default)] category: String,
    #[server(default)] status: String,
    #[server(default)] after: String,
) -> Result<SearchPage, AppError> {
    use crate::model::story::StoryStatus;
    use crate::server::{db::search, request};
    let result = async {
        let user = request::require_user().await?;
        let q = q.trim();
        if q.is_empty() {
            return Ok(SearchPage { hits: Vec::new(), next: None });
        }
        if q.chars().count() > 200 {
            return Err(AppError::invalid("q", "Please search for fewer words."));
        }
        let filters = search::SearchFilters {
            campaign_id: campaign,
            category: Some(category.trim().to_owned()).filter(|c| !c.is_empty()),
            status: match status.as_str() {
                "" => None,
                s => Some(StoryStatus::parse(s).ok_or_else(|| AppError::invalid("status", "Unknown status."))?),
            },
        };
        let mut tx = request::state()?.db.begin_reading_as(user.id).await?;
        let mut page = search::search(&mut tx, q, &filters, Some(after.as_str())).await?;
        for hit in &mut page.hits {
            hit.snippet = crate::server::markdown::highlight(&hit.snippet);
        }
        tx.commit().await?;
        Ok(page)
    }
    .await;
    request::respond(result)
}
