//! `/campaigns/:id/questions`: what the storyteller will be asked, in order. Members who may
//! manage questions choose from the library (by topic, or by a word), write their own, move
//! them up or down, skip or remove them; everyone in the family sees the list. Every action
//! is a plain form, so all of it works without JavaScript.
mod library;
mod queue;
mod replies;
mod schedule;

use library::{Library, WriteForm};
use queue::{PhotoPicker, QuestionPhoto, QueuedItem, RemoveButton};
use replies::HeldReplies;
use schedule::{CardsForm, ScheduleForm, StorytellerLinkCard};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::auth::take_flash;
use crate::api::questions::{
    questions, AddPrompt, AskAboutPhoto, DiscardEmailedReply, MoveQuestion, PublishEmailedReply, RemoveQuestion,
    ReplaceStorytellerLink, SaveQuestionSchedule, SendQuestionNow, SkipQuestion, WriteQuestion,
};
use crate::components::forms::hidden;
use crate::components::forms::{form_error, Changes, FormAlert, PostForm};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::question::{
    topic_label, CampaignQuestion, HeldReply, PhotoChoice, Prompt, QuestionSchedule, QuestionStatus, QuestionsPage,
    CARDS_FORM, COMMON_TIME_ZONES, DEFAULT_REMINDER_DAYS, MAX_NEW_CARDS, MAX_SEARCH_CHARS, TOPICS, WEEKDAYS,
};
use crate::model::story::{category_label, CATEGORIES};
use crate::model::{count, Flash};
use crate::pages::books::campaign_id_param;
use crate::urls;

#[component]
pub fn QuestionsPageView() -> impl IntoView {
    let id = campaign_id_param();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        (q.get("topic").unwrap_or_default(), q.get("search").unwrap_or_default())
    });
    let data = Resource::new(
        move || (id.get(), filter.get(), Changes::track()),
        |(id, (topic, search), _)| async move {
            match id {
                Some(id) => questions(id, topic, search).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let (topic, search) = filter.get_untracked();
                    match data.await {
                        Ok(page) => view! { <Questions page flash topic search/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn Questions(page: QuestionsPage, flash: Option<Flash>, topic: String, search: String) -> impl IntoView {
    let campaign_id = page.campaign_id;
    let who = page.storyteller_name.clone().unwrap_or_else(|| "the storyteller".into());
    let may = page.may_manage;
    let last = page.queue.len().saturating_sub(1);
    let last_waiting = !page.queue.is_empty();
    let held_forms = ["publish_emailed_reply", "discard_emailed_reply"];
    let queue_flash = flash.clone().filter(|f| {
        f.form != "write_question"
            && f.form != "save_question_schedule"
            && f.form != CARDS_FORM
            && !held_forms.contains(&f.form.as_str())
    });
    let held_flash = flash.clone().filter(|f| held_forms.contains(&f.form.as_str()));
    let write_flash = flash.clone().filter(|f| f.form == "write_question");
    let cards_flash = flash.clone().filter(|f| f.form == CARDS_FORM);
    let open = page.asked.iter().filter(|q| q.status == QuestionStatus::Sent).count();
    let waiting = page.queue.len();
    let schedule_flash = flash.filter(|f| f.form == "save_question_schedule");
    view! {
        <Title text=format!("Questions · {} · MyStoryFlow", page.campaign_title)/>
        <nav aria-label="Breadcrumb" class="crumbs"><ol>
            <li><a href=urls::campaign(campaign_id)>{page.campaign_title.clone()}</a></li>
        </ol></nav>
        <h1>{format!("Questions for {who}")}</h1>
        <p class="muted">{format!(
            "{} in the queue · {} asked so far",
            count(page.total_prompts as i64 - page.used_prompts as i64, "question", "questions"),
            page.used_prompts
        )}</p>
        {match page.schedule.as_ref() {
            Some(schedule) if schedule.paused => view! { <p>"The weekly question is paused."</p> }.into_any(),
            Some(schedule) => view! { <p>{format!("Next question: {}.", schedule.next.clone().unwrap_or_default())}</p> }.into_any(),
            None => view! { <p>"No weekly schedule yet: questions go when you press “Send the next question now”."</p> }.into_any(),
        }}
        {queue_flash.map(|f| view! { <p class="form-alert" role="alert">{f.error.to_string()}</p> })}
        {(!page.held.is_empty()).then(|| view! {
            <HeldReplies campaign_id who=who.clone() held=page.held.clone() flash=held_flash/>
        })}

        <section class="card" aria-labelledby="queue-heading">
            <h2 id="queue-heading">"Up next"</h2>
            {if page.queue.is_empty() {
                view! { <p class="muted">"No questions are waiting. Choose some below, or write your own."</p> }.into_any()
            } else {
                view! {
                    <ol class="question-queue">
                        {page.queue.into_iter().enumerate().map(|(i, q)| view! {
                            <QueuedItem campaign_id question=q may first=i == 0 last=i == last/>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>

        {page.storyteller_link.clone().map(|link| view! { <StorytellerLinkCard campaign_id who=who.clone() waiting=last_waiting link/> })}
        {may.then(|| view! { <ScheduleForm campaign_id schedule=page.schedule.clone() your_zone=page.your_time_zone.clone() flash=schedule_flash/> })}
        {may.then(|| view! { <CardsForm campaign_id who=who.clone() open waiting flash=cards_flash/> })}
        {may.then(|| view! { <WriteForm campaign_id flash=write_flash/> })}
        {may.then(|| view! { <PhotoPicker campaign_id photos=page.photos/> })}
        {may.then(|| view! { <Library campaign_id library=page.library topic search/> })}

        {(!page.asked.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="asked-heading">
                <h2 id="asked-heading">"Asked and skipped"</h2>
                <ul class="plain-list">
                    {page.asked.into_iter().map(|q| { let when = asked_when(&q); view! {
                        <li id=format!("question-{}", q.id)>
                            {q.photo_id.map(|photo| view! { <QuestionPhoto campaign_id photo/> })}
                            <span>{q.question}</span>" "
                            <span class="badge">{q.status.label()}</span>
                            <p class="muted">{when}</p>
                            {q.story_id.map(|story| view! {
                                <p>
                                    <a href=urls::story(campaign_id, story)>"Read the answer"</a>
                                    {may.then(|| view! {
                                        " · "<a href=urls::story_edit(campaign_id, story)>"Edit the answer together"</a>
                                    })}
                                </p>
                            })}
                            {(!q.email_notes.is_empty()).then(|| view! {
                                <div class="notice">
                                    <p>"Some of what came with the emailed answer couldn't be used:"</p>
                                    <ul>{q.email_notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                </div>
                            })}
                            {(may && q.sent_at.is_none()).then(|| view! {
                                <RemoveButton campaign_id question_id=q.id/>
                            })}
                        </li>
                    }}).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// "Sent 3 November 2026 · answered 5 November 2026", dates in UTC.
fn asked_when(q: &CampaignQuestion) -> String {
    let day = |at: &chrono::DateTime<chrono::Utc>| at.format("%-d %B %Y").to_string();
    let mut parts = Vec::new();
    if let Some(at) = &q.sent_at {
        parts.push(format!("Sent {}", day(at)));
    }
    if let Some(at) = &q.answered_at {
        parts.push(format!("answered {}", day(at)));
    }
    if let Some(at) = &q.skipped_at {
        parts.push(format!("skipped {}", day(at)));
    }
    if parts.is_empty() {
        return "Skipped before it was sent".to_owned();
    }
    let mut text = parts.join(" · ");
    text[..1].make_ascii_uppercase();
    text
}
