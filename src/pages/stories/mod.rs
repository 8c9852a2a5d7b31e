//! Stories: a campaign's list in book order, writing one, reading one, and the gallery.
mod autosave;
pub mod editor;
pub mod gallery;
pub mod list;
pub mod media;
pub mod new;
pub mod show;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::stories::story;
use crate::components::forms::Changes;
use crate::error::AppError;
use crate::model::story::StoryDetail;
use crate::urls;

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
    Resource::new(
        move || (ids.get(), Changes::track()),
        |(ids, _)| async move {
            match ids {
                Some((campaign_id, Some(story_id))) => story(campaign_id, story_id).await,
                _ => Err(AppError::NotFound),
            }
        },
    )
}

/// What photo `index` of `total` says to someone who can't see it: its caption, else
/// where it is from (numbered when the story has several, so each can be told apart).
pub fn photo_alt(caption: Option<&str>, story_title: &str, index: usize, total: usize) -> String {
    match caption.map(str::trim).filter(|c| !c.is_empty()) {
        Some(caption) => caption.to_owned(),
        None if total > 1 => format!("Photo {} of {total} from “{story_title}”", index + 1),
        None => format!("Photo from “{story_title}”"),
    }
}

pub fn duration(seconds: i32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The breadcrumb back to the campaign and its stories.
#[component]
pub fn Crumbs(
    campaign_id: Uuid,
    campaign_title: String,
    #[prop(optional)] story: Option<(Uuid, String)>,
) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>
                <li><a href=urls::campaign(campaign_id)>{campaign_title}</a></li>
                <li><a href=urls::stories(campaign_id)>"Stories"</a></li>
                {story.map(|(id, title)| view! {
                    <li><a href=urls::story(campaign_id, id)>{title}</a></li>
                })}
            </ol>
        </nav>
    }
}

/// The photo upload form: a plain multipart post; public/enhance.js adds per-file progress.
#[component]
pub fn PhotoUploadForm(
    action: String,
    id: &'static str,
    #[prop(default = "button")] button_class: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let caption_id = format!("{id}-caption");
    let caption_hint = format!("{id}-caption-hint");
    view! {
        <form method="post" action=action enctype="multipart/form-data" class="upload-form" data-upload-form>
            // Before the files, so the server has it when they arrive.
            <div class="field">
                <label for=caption_id.clone()>"Description (optional)"</label>
                <p class="field__hint" id=caption_hint.clone()>"Who or what is in the photo. It is read aloud to people "
                    "who can't see it, and printed under the photo in the book."</p>
                <input id=caption_id type="text" name="caption" maxlength="1000" aria-describedby=caption_hint/>
            </div>
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
