//! Stories: a campaign's list in book order, writing one, reading one, and the gallery.
pub mod editor;
pub mod gallery;
pub mod list;
pub mod media;
pub mod new;
pub mod show;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::stories::story;
use crate::error::AppError;
use crate::model::story::StoryDetail;

/// The ids in `/campaigns/:id/stories/:story…`; anything that is not a uuid is not found.
pub fn ids_in_address() -> Memo<Option<(Uuid, Option<Uuid>)>> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        let params = params.read();
        let campaign = Uuid::parse_str(&params.get("id")?).ok()?;
        let story = match params.get("story") {
            Some(s) => Some(Uuid::parse_str(&s).ok()?),
            None => None,
        };
        Some((campaign, story))
    })
}

pub fn story_in_address() -> Resource<Result<StoryDetail, AppError>> {
    let ids = ids_in_address();
    Resource::new(move || ids.get(), |ids| async move {
        match ids {
            Some((campaign_id, Some(story_id))) => story(campaign_id, story_id).await,
            _ => Err(AppError::NotFound),
        }
    })
}

pub fn duration(seconds: i32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The breadcrumb back to the campaign and its stories.
#[component]
pub fn Crumbs(campaign_id: Uuid, campaign_title: String, #[prop(optional)] story: Option<(Uuid, String)>) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>
                <li><a href=format!("/campaigns/{campaign_id}")>{campaign_title}</a></li>
                <li><a href=format!("/campaigns/{campaign_id}/stories")>"Stories"</a></li>
                {story.map(|(id, title)| view! {
                    <li><a href=format!("/campaigns/{campaign_id}/stories/{id}")>{title}</a></li>
                })}
            </ol>
        </nav>
    }
}

/// The photo upload form: a plain multipart post; public/enhance.js adds per-file progress.
#[component]
pub fn PhotoUploadForm(action: String, id: &'static str, #[prop(default = "button")] button_class: &'static str) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <form method="post" action=action enctype="multipart/form-data" class="upload-form" data-upload-form>
            <div class="field">
                <label for=id>"Add photos"</label>
                <p class="field__hint" id=hint_id.clone()>"JPEG, PNG or WebP, up to 30 MB each. You can choose several."</p>
                <input id=id type="file" name="photos" multiple required aria-describedby=hint_id
                    accept="image/jpeg,image/png,image/webp"/>
            </div>
            <progress max="100" value="0" hidden aria-label="Upload progress"></progress>
            <p class="upload-form__message" role="status"></p>
            <button type="submit" class=button_class>"Upload photos"</button>
        </form>
    }
}
