//! The campaign's photo gallery; from a story's editor, a place to pick photos for it.
use crate::api::photos::LinkPhoto;
use crate::components::forms::Changes;
use crate::components::forms::PostForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::{ids_in_address, PhotoUploadForm};
use crate::api::{auth::take_flash, campaigns::campaign, photos::photos};
use crate::components::{error_panel::ErrorPanel, forms::FormAlert, require_user::RequireUser};
use crate::error::AppError;
use crate::model::{story::PhotoView, CampaignStatus, Role};
use crate::urls;

#[component]
pub fn GalleryPage() -> impl IntoView {
    let ids = ids_in_address();
    let query = use_query_map();
    let for_story = Memo::new(move |_| query.read().get("story").and_then(|s| Uuid::parse_str(&s).ok()));
    let data = Resource::new(
        move || (ids.get(), Changes::track()),
        |(ids, _)| async move {
            let Some((campaign_id, _)) = ids else { return Err(AppError::NotFound) };
            let overview = campaign(campaign_id).await?;
            let list = photos(campaign_id).await?;
            Ok((overview, list))
        },
    );
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match data.await {
                        Ok((overview, list)) => {
                            let card = overview.card;
                            let can_add = card.role >= Role::Contributor && card.status != CampaignStatus::Archived;
                            view! {
                                <Title text=format!("Photos · {} · MyStoryFlow", card.title)/>
                                <nav aria-label="Breadcrumb" class="crumbs"><ol>
                                    <li><a href=urls::campaign(card.id)>{card.title.clone()}</a></li>
                                </ol></nav>
                                <h1>"Photos"</h1>
                                {flash.map(|f| view! { <FormAlert error=Signal::derive(move || Some(f.error.clone()))/> })}
                                {can_add.then(|| view! { <UploadForm campaign_id=card.id/> })}
                                <Gallery campaign_id=card.id photos=list for_story=for_story.get_untracked().filter(|_| can_add)/>
                            }.into_any()
                        }
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn UploadForm(campaign_id: Uuid) -> impl IntoView {
    view! {
        <section class="card">
            <PhotoUploadForm action=urls::photo_upload(campaign_id) id="gallery-files"/>
        </section>
    }
}

#[component]
fn Gallery(campaign_id: Uuid, photos: Vec<PhotoView>, for_story: Option<Uuid>) -> impl IntoView {
    if photos.is_empty() {
        return view! { <section class="card empty-state"><p>"No photos yet."</p></section> }.into_any();
    }
    view! {
        <ul class="photo-grid">
            {photos.into_iter().enumerate().map(|(i, p)| {
                let alt = p.caption.clone().unwrap_or_else(|| format!("Photo {} of the campaign, without a description", i + 1));
                view! {
                    <li>
                        <figure>
                            <a href=p.display_url.clone()><img src=p.thumbnail_url.clone() alt=alt.clone() loading="lazy"/></a>
                            {p.caption.clone().map(|c| view! { <figcaption>{c}</figcaption> })}
                            {for_story.map(|story_id| view! {
                                <PostForm action={ServerAction::<LinkPhoto>::new()}>
                                    <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                                    <input type="hidden" name="story_id" value=story_id.to_string()/>
                                    <input type="hidden" name="photo_id" value=p.id.to_string()/>
                                    <input type="hidden" name="attach" value="true"/>
                                    <button type="submit" class="button button--small"
                                        aria-label=format!("Add {alt} to the story")>"Add to story"</button>
                                </PostForm>
                            })}
                        </figure>
                    </li>
                }
            }).collect_view()}
        </ul>
    }.into_any()
}
