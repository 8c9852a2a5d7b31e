//! A campaign's stories in book order. Owners reorder them by dragging or, equally, with
//! Move up / Move down buttons (plain forms, so they also work without JavaScript).
use crate::api::stories::{move_story, MoveStory};
use crate::components::forms::Changes;
use crate::components::forms::PostForm;
use crate::components::reorder::Reorder;
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

use super::{ids_in_address, Crumbs};
use crate::api::stories::stories;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::story::{category_label, StoryList, StoryListItem};
use crate::model::{wording, Role};
use crate::urls;

#[component]
pub fn StoriesPage() -> impl IntoView {
    let ids = ids_in_address();
    let list = Resource::new(
        move || (ids.get(), Changes::track()),
        |(ids, _)| async move {
            match ids {
                Some((campaign_id, _)) => stories(campaign_id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <Stories list/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn Stories(list: StoryList) -> impl IntoView {
    let campaign_id = list.campaign_id;
    let owner = list.role == Role::Owner && list.editable;
    let reorder = Reorder::new();
    let count = list.stories.len();
    view! {
        <Title text=format!("Stories · {} · MyStoryFlow", list.campaign_title)/>
        <Crumbs campaign_id campaign_title=list.campaign_title.clone()/>
        <div class="page-heading">
            <h1>"Stories"</h1>
            {list.editable.then(|| view! {
                <a class="button" href=urls::new_story(campaign_id)>"Write a new story"</a>
            })}
        </div>
        {owner.then(|| view! {
            <p class="muted" id="order-help">
                "This is the order of the book. Drag a story, or use its Move up and Move down buttons."
            </p>
        })}
        {if list.stories.is_empty() {
            view! {
                <section class="card empty-state">
                    <p>"No stories yet. Write the first one, or record it by voice."</p>
                </section>
            }.into_any()
        } else {
            view! {
                <ol class="story-list" aria-label="Stories in book order" aria-describedby=owner.then_some("order-help")>
                    {list.stories.into_iter().enumerate().map(|(i, s)| view! {
                        <StoryRow story=s campaign_id position=i count owner reorder/>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

#[component]
fn StoryRow(
    story: StoryListItem,
    campaign_id: Uuid,
    position: usize,
    count: usize,
    owner: bool,
    reorder: Reorder,
) -> impl IntoView {
    let id = story.id;
    let title = story.title.clone();
    let meta = [
        story.category.as_deref().map(category_label),
        Some(story.status.label().to_owned()),
        Some(wording::count(story.word_count, "word", "words")),
        story.has_audio.then(|| "Recording".to_owned()),
        story.author.clone().map(|a| format!("by {a}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let move_form = move |label: &'static str, to: usize| {
        let title = title.clone();
        view! {
            <PostForm action={ServerAction::<MoveStory>::new()} attr:class="inline-form">
                <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                <input type="hidden" name="story_id" value=id.to_string()/>
                <input type="hidden" name="position" value=to.to_string()/>
                <button type="submit" class="button button--small button--quiet"
                    aria-label=format!("{label}: {title}")>{label}</button>
            </PostForm>
        }
    };
    view! {
        <li class="story-row" id=format!("story-{id}") draggable=owner.then_some("true")
            class:dragging=move || reorder.is_dragged(position) data-drop=move || reorder.marker(position)
            on:dragstart=move |ev| if owner { reorder.start(&ev, id, position) }
            on:dragover=move |ev| reorder.over(&ev, position)
            on:drop=move |ev| reorder.drop(&ev, move |story, to| move_story(campaign_id, story, to))
            on:dragend=move |_| reorder.end()>
            <div class="story-row__text">
                <a class="story-row__title" href=urls::story(campaign_id, id)>{story.title.clone()}</a>
                <span class="muted">{meta}</span>
            </div>
            {owner.then(|| view! {
                <div class="story-row__order">
                    {(position > 0).then(|| move_form("Move up", position - 1))}
                    {(position + 1 < count).then(|| move_form("Move down", position + 1))}
                </div>
            })}
        </li>
    }
}
