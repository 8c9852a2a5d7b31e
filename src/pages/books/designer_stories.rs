//! The designer's story sections: the stories in the book (order, leave out, photos and
//! their captions, QR codes) and the campaign's other stories to add.
use crate::api::books::{move_book_story, IncludeBookStory, MoveBookStory, RevokeShareLink, SetBookPhoto, SetBookQr};
use crate::components::forms::PostForm;
use crate::components::reorder::Reorder;
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::forms::{form_error, hidden, FormAlert};
use crate::error::AppError;
use crate::model::book::{BookDetail, DesignerStory};
use crate::model::story::StoryStatus;
use crate::model::{wording, Flash};

#[component]
pub(super) fn StoriesSection(book: BookDetail, flash: Option<Flash>) -> impl IntoView {
    let error = form_error(Signal::derive(|| None::<Result<(), AppError>>), flash.as_ref());
    let (campaign_id, book_id) = (book.campaign_id, book.id);
    let count = book.included.len();
    let reorder = Reorder::new();
    view! {
        <section class="card" id="stories" aria-labelledby="stories-heading">
            <h2 id="stories-heading">"Stories in the book"</h2>
            <FormAlert error/>
            {if count == 0 {
                view! {
                    <p class="muted">"No stories in the book yet. A new book starts with every story that has "
                        "something written; add any story below, or write one first."</p>
                }.into_any()
            } else {
                view! {
                    <p class="muted">"Drag stories to reorder them, or use the Move buttons."</p>
                    <ol class="book-stories" aria-label="Stories in the book, in order">
                        {book.included.into_iter().enumerate().map(|(i, story)| view! {
                            <IncludedStory story position=i count campaign_id book_id reorder/>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
        <section class="card" id="other-stories" aria-labelledby="other-stories-heading">
            <h2 id="other-stories-heading">"Other stories of the campaign"</h2>
            {if book.available.is_empty() {
                view! { <p class="muted">"Every story of the campaign is in the book."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list available-stories">
                        {book.available.into_iter().map(|s| view! {
                            <li>
                                <span>{s.title.clone()}</span>
                                <span class="muted">{format!(" · {} · {}", s.status.label(), wording::count(s.word_count, "word", "words"))}</span>
                                <PostForm action={ServerAction::<IncludeBookStory>::new()} attr:class="inline-form">
                                    {hidden("campaign_id", campaign_id)}{hidden("book_id", book_id)}
                                    {hidden("story_id", s.id)}{hidden("include", true)}
                                    <button type="submit" class="button button--small button--quiet"
                                        aria-label=format!("Add “{}” to the book", s.title)>"Add to book"</button>
                                </PostForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn IncludedStory(
    story: DesignerStory,
    position: usize,
    count: usize,
    campaign_id: Uuid,
    book_id: Uuid,
    reorder: Reorder,
) -> impl IntoView {
    let title = story.title.clone();
    let id = story.id;
    let leave_out = format!("Leave “{title}” out of the book");
    let move_form = move |to: usize, label: &'static str, aria: String| {
        view! {
            <PostForm action={ServerAction::<MoveBookStory>::new()} attr:class="inline-form">
                {hidden("campaign_id", campaign_id)}{hidden("book_id", book_id)}
                {hidden("story_id", story.id)}{hidden("position", to)}
                <button type="submit" class="button button--small button--quiet" aria-label=aria>{label}</button>
            </PostForm>
        }
    };
    view! {
        <li id=format!("book-story-{}", story.id) draggable="true" class="book-story"
            class:dragging=move || reorder.is_dragged(position) data-drop=move || reorder.marker(position)
            on:dragstart=move |ev| reorder.start(&ev, id, position)
            on:dragover=move |ev| reorder.over(&ev, position)
            on:drop=move |ev| reorder.drop(&ev, move |story, to| move_book_story(campaign_id, book_id, story, to))
            on:dragend=move |_| reorder.end()>
            <div class="book-story__head">
                <strong class="book-story__title">{format!("{}. {}", position + 1, title)}</strong>
                {(story.status == StoryStatus::Draft).then(|| view! { " " <span class="badge badge--draft">"Draft"</span> })}
                <span class="muted">{format!(" · {}", wording::count(story.word_count, "word", "words"))}</span>
            </div>
            <div class="button-row">
                {(position > 0).then(|| move_form(position - 1, "Move up", format!("Move “{title}” up")))}
                {(position + 1 < count).then(|| move_form(position + 1, "Move down", format!("Move “{title}” down")))}
                <PostForm action={ServerAction::<IncludeBookStory>::new()} attr:class="inline-form">
                    {hidden("campaign_id", campaign_id)}{hidden("book_id", book_id)}
                    {hidden("story_id", story.id)}{hidden("include", false)}
                    <button type="submit" class="button button--small button--quiet"
                        aria-label=leave_out>"Leave out"</button>
                </PostForm>
            </div>
            {(!story.photos.is_empty()).then(|| view! {
                <details class="book-story__photos">
                    <summary>{format!("Photos of “{title}” ({} of {} shown)", story.photos.iter().filter(|p| p.shown).count(), story.photos.len())}</summary>
                    <ul class="plain-list">
                        {story.photos.clone().into_iter().enumerate().map(|(i, p)| {
                            let shown_id = format!("shown-{}-{}", story.id, p.id);
                            let caption_id = format!("caption-{}-{}", story.id, p.id);
                            view! {
                                <li class="book-photo">
                                    <img src=p.thumbnail_url.clone() alt=format!("Photo {} of “{title}”", i + 1) width="96"/>
                                    <PostForm action={ServerAction::<SetBookPhoto>::new()} attr:class="book-photo__form">
                                        {hidden("campaign_id", campaign_id)}{hidden("book_id", book_id)}
                                        {hidden("story_id", story.id)}{hidden("photo_id", p.id)}
                                        <div class="field field--checkbox">
                                            <input type="checkbox" id=shown_id.clone() name="shown" value="true" checked=p.shown/>
                                            <label for=shown_id>{format!("Show photo {} in the book", i + 1)}</label>
                                        </div>
                                        <div class="field">
                                            <label for=caption_id.clone()>{format!("Caption of photo {}", i + 1)}</label>
                                            <input type="text" id=caption_id name="caption" value=p.caption.clone()/>
                                        </div>
                                        <button type="submit" class="button button--small button--quiet">"Save photo"</button>
                                    </PostForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            })}
            {if story.has_audio {
                view! {
                    <div class="book-story__qr">
                        <PostForm action={ServerAction::<SetBookQr>::new()} attr:class="inline-form">
                            {hidden("campaign_id", campaign_id)}{hidden("book_id", book_id)}
                            {hidden("story_id", story.id)}{hidden("on", !story.qr_code)}
                            <button type="submit" class="button button--small button--quiet">
                                {if story.qr_code { format!("Don't print a QR code for “{title}”") } else { format!("Print a QR code to hear “{title}”") }}
                            </button>
                        </PostForm>
                        {story.share_url.clone().map(|url| { let href = url.clone(); view! {
                            <p class="muted share-link">"Listening link: " <a href=href>{url}</a></p>
                            <PostForm action={ServerAction::<RevokeShareLink>::new()} attr:class="inline-form"
                                attr:data-confirm="Turn this listening link off? QR codes already printed will stop playing the recording.">
                                {hidden("campaign_id", campaign_id)}{hidden("book_id", book_id)}{hidden("story_id", story.id)}
                                <button type="submit" class="button button--small button--quiet">"Turn the listening link off"</button>
                            </PostForm>
                        }})}
                    </div>
                }.into_any()
            } else {
                view! { <p class="muted">"No recording, so no QR code."</p> }.into_any()
            }}
        </li>
    }
}
