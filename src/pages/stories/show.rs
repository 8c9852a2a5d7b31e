//! Reading one story: its text, recording, transcription and photos.
use crate::api::family::{AddComment, DeleteComment, EditComment, SetHeart};
use crate::api::stories::SetStoryStatus;
use crate::components::forms::Changes;
use crate::components::forms::PostForm;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{duration, photo_alt, story_in_address, Crumbs};
use crate::api::family::story_conversation;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::model::count;
use crate::model::family::Conversation;
use crate::model::story::{category_label, StoryDetail, StoryStatus};
use crate::urls;

#[component]
pub fn StoryPage() -> impl IntoView {
    let story = story_in_address();
    let ids = super::ids_in_address();
    let conversation = Resource::new(
        move || (ids.get(), Changes::track()),
        |(ids, _)| async move {
            match ids {
                Some((campaign_id, Some(story_id))) => story_conversation(campaign_id, story_id).await,
                _ => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let conversation = conversation.await.ok();
                    match story.await {
                        Ok(story) => view! {
                            <Story story=story.clone()/>
                            {conversation.map(|c| view! { <Comments conversation=c campaign_id=story.campaign_id story_id=story.id/> })}
                        }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn Story(story: StoryDetail) -> impl IntoView {
    let (campaign_id, id) = (story.campaign_id, story.id);
    let meta = [
        story.category.as_deref().map(category_label),
        Some(story.status.label().to_owned()),
        Some(count(story.word_count, "word", "words")),
        story.author.clone().map(|a| format!("by {a}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let statuses: Vec<StoryStatus> =
        StoryStatus::ALL.into_iter().filter(|s| *s != story.status && s.may_set(story.role)).collect();
    let may_change_status = story.can_edit && story.status.may_set(story.role) && !statuses.is_empty();
    view! {
        <Title text=format!("{} · MyStoryFlow", story.title)/>
        <Crumbs campaign_id campaign_title=story.campaign_title.clone()/>
        <article class="story">
            <div class="page-heading">
                <div>
                    <h1>{story.title.clone()}</h1>
                    <p class="muted">{meta}</p>
                </div>
                {story.can_edit.then(|| view! {
                    <a class="button" href=urls::story_edit(campaign_id, id)>"Edit story"</a>
                })}
            </div>
            {story.audio.clone().map(|audio| view! {
                <section class="card" aria-labelledby="recording-heading">
                    <h2 id="recording-heading">"Recording"</h2>
                    <p class="muted">{format!("Length {}", duration(audio.duration_seconds))}</p>
                    <audio controls preload="metadata" src=audio.url aria-label="Play the recording"></audio>
                </section>
            })}
            {if story.content.trim().is_empty() {
                view! { <p class="muted">"Nothing written yet."</p> }.into_any()
            } else {
                view! { <div class="story__text prose" inner_html=story.content_html.clone()></div> }.into_any()
            }}
            {story.transcription.clone().filter(|t| !t.trim().is_empty()).map(|t| view! {
                <section class="card" aria-labelledby="transcription-heading">
                    <h2 id="transcription-heading">"Transcription of the recording"</h2>
                    <p class="transcription">{t}</p>
                </section>
            })}
            {(!story.photos.is_empty()).then(|| view! {
                <section aria-labelledby="photos-heading">
                    <h2 id="photos-heading">"Photos"</h2>
                    <ul class="photo-grid">
                        {story.photos.iter().cloned().enumerate().map(|(i, p)| view! {
                            <li>
                                <figure>
                                    <a href=p.display_url.clone()>
                                        <img src=p.thumbnail_url alt=photo_alt(p.caption.as_deref(), &story.title, i, story.photos.len())
                                            width=p.width.min(480).to_string() loading="lazy"/>
                                    </a>
                                    {p.caption.map(|c| view! { <figcaption>{c}</figcaption> })}
                                </figure>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {may_change_status.then(|| view! {
                <section class="card" aria-labelledby="status-heading">
                    <h2 id="status-heading">"Status"</h2>
                    <p>"This story is " <strong>{story.status.label()}</strong> "."</p>
                    {(story.status == StoryStatus::Draft && !story.content.trim().is_empty()).then(|| view! {
                        <p class="notice">"Finished writing it? Mark it as completed: the family hears about it, "
                            "and it is ready for the book."</p>
                    })}
                    <div class="button-row">
                        {statuses.into_iter().map(|s| view! {
                            <PostForm action={ServerAction::<SetStoryStatus>::new()} attr:class="inline-form">
                                <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                                <input type="hidden" name="story_id" value=id.to_string()/>
                                <input type="hidden" name="status" value=s.as_str()/>
                                <button type="submit" class="button button--quiet">{format!("Mark as {}", s.label().to_lowercase())}</button>
                            </PostForm>
                        }).collect_view()}
                    </div>
                </section>
            })}
        </article>
    }
}

/// Comments and hearts under a story: every member may add them (plain forms).
#[component]
fn Comments(conversation: Conversation, campaign_id: uuid::Uuid, story_id: uuid::Uuid) -> impl IntoView {
    let hidden = move |name: &'static str, value: String| view! { <input type="hidden" name=name value=value/> };
    let ids = move || (hidden("campaign_id", campaign_id.to_string()), hidden("story_id", story_id.to_string()));
    let hearts = conversation.hearts;
    let mine = conversation.hearted_by_me;
    view! {
        <section class="card comments" id="comments" aria-labelledby="comments-heading">
            <h2 id="comments-heading">"Family comments"</h2>
            <PostForm action={ServerAction::<SetHeart>::new()} attr:class="inline-form">
                {ids()}
                {hidden("on", (!mine).to_string())}
                <button type="submit" class="button button--quiet heart" aria-pressed=mine.to_string()>
                    <span aria-hidden="true">{if mine { "♥ " } else { "♡ " }}</span>
                    {if mine { "You love this story" } else { "Love this story" }}
                </button>
            </PostForm>
            <p class="muted">{match hearts { 0 => "No hearts yet.".to_owned(), 1 => "1 heart".to_owned(), n => format!("{n} hearts") }}</p>
            {if conversation.comments.is_empty() {
                view! { <p class="muted">"No comments yet. Be the first to say what this story means to you."</p> }.into_any()
            } else {
                view! {
                    <ol class="comment-list">
                        {conversation.comments.into_iter().map(|c| {
                            let when = c.created_at.format("%-d %B %Y, %H:%M").to_string();
                            let edit_id = format!("edit-{}", c.id);
                            view! {
                                <li class="comment">
                                    <p class="comment__meta"><strong>{c.author.clone()}</strong>
                                        <span class="muted">{format!(" · {when}{}", if c.edited { " · edited" } else { "" })}</span></p>
                                    <p class="comment__body">{c.body.clone()}</p>
                                    {c.mine.then(|| view! {
                                        <details>
                                            <summary>"Edit your comment"</summary>
                                            <PostForm action={ServerAction::<EditComment>::new()}>
                                                {ids()}{hidden("comment_id", c.id.to_string())}
                                                <label for=edit_id.clone()>"Your comment"</label>
                                                <textarea id=edit_id name="body" rows="3">{c.body.clone()}</textarea>
                                                <button type="submit" class="button button--small button--quiet">"Save comment"</button>
                                            </PostForm>
                                        </details>
                                    })}
                                    {c.may_delete.then(|| view! {
                                        <PostForm action={ServerAction::<DeleteComment>::new()} attr:class="inline-form" attr:data-confirm="Delete this comment?">
                                            {ids()}{hidden("comment_id", c.id.to_string())}
                                            <button type="submit" class="button button--small button--quiet"
                                                aria-label=format!("Delete the comment by {}", c.author)>"Delete"</button>
                                        </PostForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {conversation.may_comment.then(|| view! {
                <PostForm action={ServerAction::<AddComment>::new()}>
                    {ids()}
                    <div class="field">
                        <label for="new-comment">"Add a comment"</label>
                        <textarea id="new-comment" name="body" rows="3" required maxlength="5000"></textarea>
                    </div>
                    <button type="submit" class="button">"Post comment"</button>
                </PostForm>
            })}
        </section>
    }
}
