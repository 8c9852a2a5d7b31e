//! The story editor. It never loses text: it autosaves two seconds after typing stops,
//! keeps unsaved text in this browser (localStorage) until the server has it, retries
//! failed saves, and never overwrites someone else's newer save without asking.
//! Without JavaScript it is a plain form with a Save button.
use crate::api::stories::{save_story, DeleteStory, SaveStory};
use crate::components::forms::PostForm;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::autosave::{Autosave, DraftAction, SaveState, Step};
use super::media::{Photos, Recording};
use super::new::CategoryFields;
use super::{story_in_address, Crumbs};
use crate::api::auth::take_flash;
use crate::components::{error_panel::ErrorPanel, forms::FormAlert, require_user::RequireUser};
use crate::error::AppError;
use crate::model::story::{count_words, StoryDetail, MAX_STORY_CONTENT_CHARS};
use crate::model::{count, Flash};
use crate::urls;

#[component]
pub fn EditStoryPage() -> impl IntoView {
    let story = story_in_address();
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match story.await {
                        Ok(story) if story.can_edit => view! { <Editor story flash/> }.into_any(),
                        Ok(_) => view! { <ErrorPanel error=AppError::Forbidden/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

/// What is kept in localStorage until the server confirms it.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
struct Draft {
    title: String,
    content: String,
    category: String,
    custom_category: String,
    version: i32,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn draft_key(story_id: Uuid) -> String {
    format!("msf-draft-{story_id}")
}

#[cfg(feature = "hydrate")]
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn keep_draft(story_id: Uuid, draft: &Draft) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(json)) = (local_storage(), serde_json::to_string(draft)) {
        let _ = storage.set_item(&draft_key(story_id), &json);
    }
    let _ = (story_id, draft);
}

fn drop_draft(story_id: Uuid) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&draft_key(story_id));
    }
    let _ = story_id;
}

fn read_draft(story_id: Uuid) -> Option<Draft> {
    #[cfg(feature = "hydrate")]
    {
        let json = local_storage()?.get_item(&draft_key(story_id)).ok()??;
        return serde_json::from_str(&json).ok();
    }
    #[allow(unreachable_code)]
    {
        let _ = story_id;
        None
    }
}

fn clock(at: DateTime<Utc>) -> String {
    #[cfg(feature = "hydrate")]
    {
        let local = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        return format!("{:02}:{:02}", local.get_hours(), local.get_minutes());
    }
    #[allow(unreachable_code)]
    at.format("%H:%M").to_string()
}

#[component]
fn Editor(story: StoryDetail, flash: Option<Flash>) -> impl IntoView {
    let (campaign_id, story_id) = (story.campaign_id, story.id);
    let flashed = |name: &str| flash.as_ref().filter(|f| f.form == "save_story").and_then(|f| f.value(name));
    let initial_category = story.category.clone().unwrap_or_default();
    let title = RwSignal::new(flashed("title").unwrap_or_else(|| story.title.clone()));
    let content = RwSignal::new(flashed("content").unwrap_or_else(|| story.content.clone()));
    let category = RwSignal::new(flashed("category").unwrap_or_else(|| initial_category.clone()));
    let custom_category = RwSignal::new(flashed("custom_category").unwrap_or_default());
    let version = RwSignal::new(story.version);
    let machine = RwSignal::new(Autosave::default());
    let state = Signal::derive(move || machine.with(|m| m.state().clone()));
    let restored = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    let other_error = flash.as_ref().filter(|f| f.form != "save_story").map(|f| f.error.clone());
    let form_error = Signal::derive({
        let flashed = flash.as_ref().filter(|f| f.form == "save_story").map(|f| f.error.clone());
        move || flashed.clone()
    });

    let tick = RwSignal::new(0u64);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let draft = move || Draft {
        title: title.get_untracked(),
        content: content.get_untracked(),
        category: category.get_untracked(),
        custom_category: custom_category.get_untracked(),
        version: version.get_untracked(),
    };
    // Carries out what the rules in `autosave` decided.
    let apply = move |step: Step| {
        if let Some(v) = step.version {
            version.set(v);
        }
        match step.draft {
            Some(DraftAction::Keep) => keep_draft(story_id, &draft()),
            Some(DraftAction::Drop) => drop_draft(story_id),
            None => {}
        }
        if let Some(after_ms) = step.save_after_ms {
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
            let fire = move || tick.update(|t| *t += 1);
            let handle = if after_ms == 0 {
                fire();
                None
            } else {
                set_timeout_with_handle(fire, std::time::Duration::from_millis(after_ms)).ok()
            };
            timer.set_value(handle);
        }
    };
    let edited = move || apply(machine.try_update(Autosave::edit).unwrap_or_default());

    let save_now = move || {
        let Some(ticket) = machine.try_update(Autosave::begin).flatten() else { return };
        let d = draft();
        leptos::task::spawn_local(async move {
            let result = save_story(
                campaign_id,
                story_id,
                d.version,
                d.title,
                d.content,
                d.category,
                d.custom_category,
                ticket.overwrite,
            )
            .await;
            apply(machine.try_update(|m| m.finish(ticket, result)).unwrap_or_default());
        });
    };
    Effect::watch(move || tick.get(), move |_, _, _| save_now(), false);

    // After hydration: bring back text this browser could not save last time.
    let server_copy = Draft {
        title: story.title.clone(),
        content: story.content.clone(),
        category: initial_category.clone(),
        custom_category: String::new(),
        version: story.version,
    };
    Effect::new(move |_| {
        hydrated.set(true);
        if let Some(d) = read_draft(story_id) {
            let differs =
                d.title != server_copy.title || d.content != server_copy.content || d.category != server_copy.category;
            if differs {
                title.set(d.title);
                content.set(d.content);
                category.set(d.category);
                custom_category.set(d.custom_category);
                // Saved against the version it was written on: a newer save elsewhere shows as a conflict.
                version.set(d.version);
                restored.set(true);
                edited();
            } else {
                drop_draft(story_id);
            }
        }
    });

    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let wrap = move |before: &'static str, after: &'static str, line_start: bool| {
        let Some(el) = textarea.get_untracked() else { return };
        let text = content.get_untracked();
        let to_byte = |utf16: u32| {
            let mut units = 0u32;
            for (i, c) in text.char_indices() {
                if units >= utf16 {
                    return i;
                }
                units += c.len_utf16() as u32;
            }
            text.len()
        };
        let start = to_byte(el.selection_start().ok().flatten().unwrap_or(0));
        let end = to_byte(el.selection_end().ok().flatten().unwrap_or(0)).max(start);
        let start = if line_start { text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0) } else { start };
        let selected = &text[start..end];
        let placeholder = if selected.is_empty() && !line_start { "text" } else { "" };
        let new_text = format!("{}{before}{selected}{placeholder}{after}{}", &text[..start], &text[end..]);
        let caret = (text[..start].encode_utf16().count() + before.encode_utf16().count()) as u32;
        let caret_end = caret + (selected.encode_utf16().count() + placeholder.encode_utf16().count()) as u32;
        content.set(new_text.clone());
        el.set_value(&new_text);
        let _ = el.focus();
        let _ = el.set_selection_range(caret, caret_end);
        edited();
    };

    let words = move || count_words(&content.get());
    let too_long = move || content.with(|c| c.chars().count() > MAX_STORY_CONTENT_CHARS);
    // Without JavaScript nothing saves by itself, so the page can't know what is saved.
    let indicator = move || match state.get() {
        _ if !hydrated.get() => "Save to keep your changes.".to_owned(),
        SaveState::Saved(Some(at)) => format!("Saved {}", clock(at)),
        SaveState::Saved(None) => "All changes saved".to_owned(),
        SaveState::Unsaved => "Not saved yet".to_owned(),
        SaveState::Saving => "Saving…".to_owned(),
        SaveState::Retrying => "Not saved — retrying".to_owned(),
        SaveState::Invalid(_) => "Not saved".to_owned(),
        SaveState::Conflict { .. } => "Not saved — someone else changed this story".to_owned(),
    };
    let problem = move || match state.get() {
        SaveState::Invalid(message) => Some(message),
        SaveState::Retrying => {
            Some("We couldn't reach MyStoryFlow. Your text is kept in this browser and we'll keep trying.".to_owned())
        }
        _ => None,
    };

    let keep_mine = move |_| apply(machine.try_update(Autosave::keep_mine).unwrap_or_default());
    let take_theirs = move |_| {
        if let Some((step, t, c)) = machine.try_update(Autosave::take_theirs).flatten() {
            title.set(t);
            content.set(c);
            apply(step);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply(machine.try_update(|m| m.submit(Utc::now())).unwrap_or_default());
    };

    view! {
        <Title text=format!("Editing {} · MyStoryFlow", story.title)/>
        <Crumbs campaign_id campaign_title=story.campaign_title.clone() story=(story_id, story.title.clone())/>
        <h1>"Edit story"</h1>
        {other_error.map(|error| view! { <FormAlert error=Signal::derive(move || Some(error.clone()))/> })}
        <form method="post" action={<SaveStory as ServerFn>::url()} class="card editor" on:submit=on_submit>
            <FormAlert error=form_error/>
            <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
            <input type="hidden" name="story_id" value=story_id.to_string()/>
            <input type="hidden" name="version" value=story.version.to_string()
                prop:value=move || version.get().to_string()/>
            <div class="editor__status">
                <p class="save-indicator" role="status" aria-live="polite"
                    data-state=move || match state.get() {
                        SaveState::Saved(_) => "saved",
                        SaveState::Saving => "saving",
                        SaveState::Unsaved => "unsaved",
                        _ => "problem",
                    }>{indicator}</p>
                <p class="muted" aria-live="off">{move || count(words() as i64, "word", "words")}</p>
            </div>
            {move || restored.get().then(|| view! {
                <p class="notice">"We brought back changes from this browser that hadn't been saved yet."</p>
            })}
            {move || problem().map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
            {move || match state.get() {
                SaveState::Conflict { content: theirs, .. } => Some(view! {
                    <section class="conflict" role="alert" aria-labelledby="conflict-heading">
                        <h2 id="conflict-heading">"This story changed since you opened it"</h2>
                        <p>"Someone else saved a different version while you were writing. Which one should we keep?"</p>
                        <details>
                            <summary>"See their version"</summary>
                            <pre class="conflict__theirs">{theirs}</pre>
                        </details>
                        <div class="button-row">
                            <button type="button" class="button" on:click=keep_mine>"Keep my version"</button>
                            <button type="button" class="button button--quiet" on:click=take_theirs>"Use their version"</button>
                        </div>
                    </section>
                }),
                _ => None,
            }}
            <div class="field">
                <label for="editor-title">"Title"</label>
                <input id="editor-title" name="title" type="text" maxlength="200" required
                    value=title.get_untracked()
                    prop:value=move || title.get()
                    on:input=move |ev| { title.set(event_target_value(&ev)); edited(); }/>
                {move || form_error.get().and_then(|e| e.field("title")).map(|m| view! { <p class="field__error">{m}</p> })}
            </div>
            <CategoryFields category=category.get_untracked() custom=custom_category.get_untracked() error=form_error
                on_change=Callback::new(move |(c, custom): (String, String)| {
                    category.set(c);
                    custom_category.set(custom);
                    edited();
                })/>
            <div class="field">
                <label for="editor-content">"Story"</label>
                <p class="field__hint" id="editor-content-hint">
                    "Markdown works: **bold**, *italic*, # heading, > quote, - list."
                </p>
                <div class="toolbar" role="toolbar" aria-label="Formatting" aria-controls="editor-content"
                    hidden=move || !hydrated.get()>
                    <button type="button" on:click=move |_| wrap("**", "**", false)><strong>"Bold"</strong></button>
                    <button type="button" on:click=move |_| wrap("*", "*", false)><em>"Italic"</em></button>
                    <button type="button" on:click=move |_| wrap("## ", "", true)>"Heading"</button>
                    <button type="button" on:click=move |_| wrap("> ", "", true)>"Quote"</button>
                    <button type="button" on:click=move |_| wrap("- ", "", true)>"List"</button>
                </div>
                <textarea id="editor-content" name="content" rows="18" node_ref=textarea
                    aria-describedby="editor-content-hint"
                    prop:value=move || content.get()
                    on:input=move |ev| { content.set(event_target_value(&ev)); edited(); }>{story.content.clone()}</textarea>
                {move || too_long().then(|| view! {
                    <p class="field__error">{format!("This is longer than {MAX_STORY_CONTENT_CHARS} characters and can't be saved. Please split it into several stories.")}</p>
                })}
                {move || form_error.get().and_then(|e| e.field("content")).map(|m| view! { <p class="field__error">{m}</p> })}
            </div>
            <div class="button-row">
                <button type="submit" class="button">"Save"</button>
                <a class="button button--quiet" href=urls::story(campaign_id, story_id)>"View story"</a>
            </div>
        </form>
        <Recording story=story.clone()/>
        <Photos story=story.clone()/>
        <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete this story"</h2>
            <p>"Its text and recording are removed for everyone. Photos stay in the campaign's gallery."</p>
            <PostForm action={ServerAction::<DeleteStory>::new()} attr:data-confirm="Delete this story for everyone?">
                <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                <input type="hidden" name="story_id" value=story_id.to_string()/>
                <button type="submit" class="button button--danger">"Delete story"</button>
            </PostForm>
        </section>
    }
}
