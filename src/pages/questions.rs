//! `/campaigns/:id/questions`: what the storyteller will be asked, in order. Members who may
//! manage questions choose from the library (by topic, or by a word), write their own, move
//! them up or down, skip or remove them; everyone in the family sees the list. Every action
//! is a plain form, so all of it works without JavaScript.
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

/// The weekly question: day, time and time zone, the reminder, pause.
#[component]
fn ScheduleForm(
    campaign_id: Uuid,
    schedule: Option<QuestionSchedule>,
    your_zone: Option<String>,
    flash: Option<Flash>,
) -> impl IntoView {
    let save = ServerAction::<SaveQuestionSchedule>::new();
    let error = form_error(save.value(), flash.as_ref());
    let typed = |name: &str| flash.as_ref().and_then(|f| f.value(name));
    let weekday =
        typed("weekday").and_then(|d| d.parse::<u8>().ok()).or(schedule.as_ref().map(|s| s.weekday)).unwrap_or(7);
    let time = typed("time").or(schedule.as_ref().map(|s| s.time.clone())).unwrap_or_else(|| "10:00".into());
    let zone = typed("time_zone").or(schedule.as_ref().map(|s| s.time_zone.clone())).or(your_zone).unwrap_or_default();
    let reminder = typed("reminder_days")
        .or(schedule.as_ref().map(|s| s.reminder_days.map(|d| d.to_string()).unwrap_or_else(|| "off".into())))
        .unwrap_or_else(|| DEFAULT_REMINDER_DAYS.to_string());
    let paused = schedule.as_ref().is_some_and(|s| s.paused);
    let message = move |name: &'static str| move || error.get().and_then(|e| e.field(name));
    view! {
        <section class="card" id="schedule" aria-labelledby="schedule-heading">
            <h2 id="schedule-heading">"A question every week"</h2>
            <PostForm action=save alert=false>
                <FormAlert error/>
                {hidden("campaign_id", campaign_id)}
                <div class="field">
                    <label for="schedule-weekday">"Day"</label>
                    <select id="schedule-weekday" name="weekday">
                        {WEEKDAYS.iter().enumerate().map(|(i, day)| {
                            let n = i as u8 + 1;
                            view! { <option value=n.to_string() selected=n == weekday>{*day}</option> }
                        }).collect_view()}
                    </select>
                    {move || message("weekday")().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="schedule-time">"Time"</label>
                    <input id="schedule-time" type="time" name="time" value=time required/>
                    {move || message("time")().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="schedule-zone">"Their time zone"</label>
                    <p class="field__hint" id="schedule-zone-hint">"Where the storyteller lives, such as Europe/London or America/New_York."</p>
                    <input id="schedule-zone" type="text" name="time_zone" value=zone list="time-zones" required
                        aria-describedby="schedule-zone-hint" autocomplete="off"/>
                    <datalist id="time-zones">
                        {COMMON_TIME_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                    </datalist>
                    {move || message("time_zone")().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="schedule-reminder">"Gentle reminder"</label>
                    <select id="schedule-reminder" name="reminder_days">
                        <option value="off" selected=reminder == "off">"No reminder"</option>
                        {[2u8, 3, 4, 5, 7].into_iter().map(|d| view! {
                            <option value=d.to_string() selected=reminder == d.to_string()>{format!("After {d} days without an answer")}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field field--checkbox">
                    <input id="schedule-paused" type="checkbox" name="paused" value="on" checked=paused/>
                    <label for="schedule-paused">"Pause the weekly question"</label>
                </div>
                <button type="submit" class="button">"Save the schedule"</button>
            </PostForm>
        </section>
    }
}

/// The storyteller's link (to copy, or replace when it went astray) and "send the next
/// question now".
#[component]
fn StorytellerLinkCard(campaign_id: Uuid, who: String, waiting: bool, link: String) -> impl IntoView {
    let replace = ServerAction::<ReplaceStorytellerLink>::new();
    let send = ServerAction::<SendQuestionNow>::new();
    view! {
        <section class="card" id="link" aria-labelledby="link-heading">
            <h2 id="link-heading">{format!("{who}'s link")}</h2>
            <p>{format!("{who} answers from this link, by talking or writing, without an account. Anyone who has it can answer, so share it only with {who}.")}</p>
            <div class="field">
                <label for="storyteller-link">"Storyteller's link"</label>
                <input id="storyteller-link" type="text" readonly value=link.clone()/>
            </div>
            <div class="button-row">
                <button type="button" class="button" data-copy="storyteller-link" hidden>"Copy link"</button>
                <a class="button button--quiet" href=link>"Open it"</a>
            </div>
            <p class="copy-message" role="status"></p>
            <div class="button-row">
                {waiting.then(|| view! {
                    <PostForm action=send>
                        {hidden("campaign_id", campaign_id)}
                        <button type="submit" class="button">"Send the next question now"</button>
                    </PostForm>
                })}
                <PostForm action=replace attr:data-confirm="Replace the link? The old link stops working at once.">
                    {hidden("campaign_id", campaign_id)}
                    <button type="submit" class="button button--quiet">"Replace the link"</button>
                </PostForm>
            </div>
        </section>
    }
}

#[component]
fn QueuedItem(campaign_id: Uuid, question: CampaignQuestion, may: bool, first: bool, last: bool) -> impl IntoView {
    let id = question.id;
    let text = question.question.clone();
    let (up_label, down_label, skip_label) =
        (format!("Move up: {text}"), format!("Move down: {text}"), format!("Skip: {text}"));
    let up = ServerAction::<MoveQuestion>::new();
    let down = ServerAction::<MoveQuestion>::new();
    let skip = ServerAction::<SkipQuestion>::new();
    view! {
        <li id=format!("question-{id}") class="question-queue__item">
            {question.photo_id.map(|photo| view! { <QuestionPhoto campaign_id photo/> })}
            <p class="question-queue__text">{text}</p>
            <p class="muted">{category_label(&question.category)}</p>
            {may.then(|| view! {
                <div class="button-row">
                    {(!first).then(|| view! {
                        <PostForm action=up>
                            {hidden("campaign_id", campaign_id)}{hidden("question_id", id)}{hidden("up", true)}
                            <button type="submit" class="button button--small button--quiet"
                                aria-label=up_label.clone()>"Move up"</button>
                        </PostForm>
                    })}
                    {(!last).then(|| view! {
                        <PostForm action=down>
                            {hidden("campaign_id", campaign_id)}{hidden("question_id", id)}{hidden("up", false)}
                            <button type="submit" class="button button--small button--quiet"
                                aria-label=down_label.clone()>"Move down"</button>
                        </PostForm>
                    })}
                    <PostForm action=skip>
                        {hidden("campaign_id", campaign_id)}{hidden("question_id", id)}
                        <button type="submit" class="button button--small button--quiet"
                            aria-label=skip_label.clone()>"Skip"</button>
                    </PostForm>
                    <RemoveButton campaign_id question_id=id/>
                </div>
            })}
        </li>
    }
}

/// The photo a photo question is about, small, opening the full picture.
#[component]
fn QuestionPhoto(campaign_id: Uuid, photo: Uuid) -> impl IntoView {
    view! {
        <a href=urls::photo_display(campaign_id, photo) class="question-photo">
            <img src=urls::photo_thumbnail(campaign_id, photo) alt="The photo this question is about" loading="lazy"/>
        </a>
    }
}

#[component]
fn PhotoPicker(campaign_id: Uuid, photos: Vec<PhotoChoice>) -> impl IntoView {
    view! {
        <section class="card" id="photos" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Ask about a photo"</h2>
            <p class="muted">"Choose a picture and the storyteller is asked: “Tell us about this picture.”"</p>
            {if photos.is_empty() {
                view! {
                    <p>"No photos to choose from. "<a href=urls::photos(campaign_id)>"Add photos in the gallery"</a>" first."</p>
                }.into_any()
            } else {
                view! {
                    <ul class="photo-grid">
                        {photos.into_iter().enumerate().map(|(i, p)| {
                            let ask = ServerAction::<AskAboutPhoto>::new();
                            let alt = p.caption.clone().unwrap_or_else(|| format!("Photo {}, without a description", i + 1));
                            view! {
                                <li>
                                    <figure>
                                        <img src=urls::photo_thumbnail(campaign_id, p.id) alt=alt.clone() loading="lazy"/>
                                        {p.caption.clone().map(|c| view! { <figcaption>{c}</figcaption> })}
                                    </figure>
                                    <PostForm action=ask>
                                        {hidden("campaign_id", campaign_id)}{hidden("photo_id", p.id)}
                                        <button type="submit" class="button button--small"
                                            aria-label=format!("Ask about {alt}")>"Ask about this photo"</button>
                                    </PostForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Emailed replies from people who may not answer: shown whole, published or discarded by
/// the family, never published by themselves.
#[component]
fn HeldReplies(campaign_id: Uuid, who: String, held: Vec<HeldReply>, flash: Option<Flash>) -> impl IntoView {
    let publish = ServerAction::<PublishEmailedReply>::new();
    let discard = ServerAction::<DiscardEmailedReply>::new();
    let published = form_error(publish.value(), flash.as_ref());
    let discarded = form_error(discard.value(), None);
    let publish_label = format!("Publish as {who}'s answer");
    let error = Signal::derive(move || published.get().or_else(|| discarded.get()));
    view! {
        <section class="card" id="held" aria-labelledby="held-heading">
            <h2 id="held-heading">"Emailed replies waiting for you"</h2>
            <p>{format!(
                "These came by email in reply to a question, but not from {who}'s address or a family member's. \
                 Nothing is shown to the family until you publish it."
            )}</p>
            <FormAlert error/>
            <ul class="plain-list">
                {held.into_iter().map(|reply| {
                    let publish_label = publish_label.clone();
                    let from = match &reply.sender_name {
                        Some(name) => format!("{name} <{}>", reply.sender),
                        None => reply.sender.clone(),
                    };
                    let label = format!("Reply from {from}");
                    view! {
                        <li>
                            <article aria-label=label>
                                <p><strong>{format!("From {from}")}</strong>" · "{format!("received {}", reply.received)}</p>
                                {reply.question.map(|q| view! { <p class="muted">{format!("Answering: {q}")}</p> })}
                                <blockquote class="held-reply">{reply.body}</blockquote>
                                {(!reply.notes.is_empty()).then(|| view! {
                                    <ul>{reply.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                })}
                                <div class="actions">
                                    <PostForm action=publish alert=false attr:class="inline-form">
                                        {hidden("campaign_id", campaign_id)}{hidden("reply_id", reply.id)}
                                        <button type="submit" class="button button--small">{publish_label.clone()}</button>
                                    </PostForm>
                                    <PostForm action=discard alert=false attr:class="inline-form"
                                        attr:data-confirm="Discard this message? It will not be kept.">
                                        {hidden("campaign_id", campaign_id)}{hidden("reply_id", reply.id)}
                                        <button type="submit" class="button button--small button--quiet">"Discard"</button>
                                    </PostForm>
                                </div>
                            </article>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn RemoveButton(campaign_id: Uuid, question_id: Uuid) -> impl IntoView {
    let remove = ServerAction::<RemoveQuestion>::new();
    view! {
        <PostForm action=remove>
            {hidden("campaign_id", campaign_id)}{hidden("question_id", question_id)}
            <button type="submit" class="button button--small button--quiet">"Remove"</button>
        </PostForm>
    }
}

/// Question cards to print, for a storyteller who doesn't use email. A plain form: the
/// answer is the PDF, which the browser downloads.
#[component]
fn CardsForm(campaign_id: Uuid, who: String, open: usize, waiting: usize, flash: Option<Flash>) -> impl IntoView {
    let typed = |name: &str| flash.as_ref().and_then(|f| f.value(name));
    let paper = typed("paper").unwrap_or_else(|| "letter".into());
    let more = typed("more").unwrap_or_else(|| waiting.min(4).to_string());
    let more_error = flash.as_ref().and_then(|f| f.error.field("more"));
    let alert = flash.as_ref().filter(|f| f.error.field("more").is_none()).map(|f| f.error.to_string());
    view! {
        <section class="card" id="cards" aria-labelledby="cards-heading">
            <h2 id="cards-heading">"Question cards to print"</h2>
            <p>{format!(
                "For {who} to answer without email: one question a page in large type, with a square code their phone's camera opens the question with. The cards hold every question waiting for an answer ({open} now)."
            )}</p>
            {alert.map(|a| view! { <p class="form-alert" role="alert">{a}</p> })}
            <form method="post" action=urls::question_cards(campaign_id)>
                <fieldset class="field">
                    <legend>"Paper"</legend>
                    <label><input type="radio" name="paper" value="letter" checked=paper != "a4"/>" Letter"</label>
                    <label><input type="radio" name="paper" value="a4" checked=paper == "a4"/>" A4"</label>
                </fieldset>
                <div class="field">
                    <label for="cards-more">"Also hand over this many new questions from the queue"</label>
                    <p class="field__hint" id="cards-more-hint">{format!(
                        "0 to {MAX_NEW_CARDS}; {waiting} waiting. They count as sent, and the weekly email skips them."
                    )}</p>
                    <input id="cards-more" name="more" type="number" min="0" max=MAX_NEW_CARDS.to_string() inputmode="numeric"
                        value=more aria-describedby="cards-more-hint cards-more-error"
                        aria-invalid=more_error.is_some().then_some("true")/>
                    <p class="field__error" id="cards-more-error">{more_error}</p>
                </div>
                <button type="submit" class="button">"Make the cards (PDF)"</button>
            </form>
        </section>
    }
}

#[component]
fn WriteForm(campaign_id: Uuid, flash: Option<Flash>) -> impl IntoView {
    let write = ServerAction::<WriteQuestion>::new();
    let error = form_error(write.value(), flash.as_ref());
    let typed = flash.as_ref().and_then(|f| f.value("question")).unwrap_or_default();
    let message = move || error.get().and_then(|e| e.field("question"));
    view! {
        <section class="card" id="write" aria-labelledby="write-heading">
            <h2 id="write-heading">"Write your own question"</h2>
            <PostForm action=write alert=false>
                <FormAlert error/>
                {hidden("campaign_id", campaign_id)}
                <div class="field">
                    <label for="new-question">"Your question"</label>
                    <p class="field__hint" id="new-question-hint">"Specific questions bring the best stories: “What did your kitchen smell like on a Sunday?”"</p>
                    <textarea id="new-question" name="question" rows="3" aria-describedby="new-question-hint new-question-error">{typed}</textarea>
                    <p class="field__error" id="new-question-error">{message}</p>
                </div>
                <div class="field">
                    <label for="new-question-category">"File the answer under"</label>
                    <select id="new-question-category" name="category">
                        {CATEGORIES.into_iter().map(|(value, label)| view! {
                            <option value=value selected=value == "other">{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Add to the queue"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn Library(campaign_id: Uuid, library: Vec<Prompt>, topic: String, search: String) -> impl IntoView {
    let shown = library.len();
    view! {
        <section class="card" id="library" aria-labelledby="library-heading">
            <h2 id="library-heading">"Choose from our questions"</h2>
            <form method="get" action=urls::questions(campaign_id) class="library-filter">
                <div class="field">
                    <label for="library-topic">"Topic"</label>
                    <select id="library-topic" name="topic">
                        <option value="" selected=topic.is_empty()>"Every topic"</option>
                        {TOPICS.into_iter().map(|(value, label)| view! {
                            <option value=value selected=topic == value>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="library-search">"Words in the question"</label>
                    <input id="library-search" type="search" name="search" value=search maxlength=MAX_SEARCH_CHARS.to_string()/>
                </div>
                <button type="submit" class="button button--quiet">"Show questions"</button>
            </form>
            <p class="muted" role="status">{count(shown as i64, "question", "questions")}" to choose from"</p>
            <ul class="plain-list library">
                {library.into_iter().map(|p| {
                    let add = ServerAction::<AddPrompt>::new();
                    view! {
                        <li>
                            <PostForm action=add>
                                {hidden("campaign_id", campaign_id)}{hidden("prompt_id", p.id)}
                                <span class="library__question">{p.question.clone()}</span>" "
                                <span class="muted">{topic_label(&p.topic)}</span>" "
                                <button type="submit" class="button button--small"
                                    aria-label=format!("Add: {}", p.question)>"Add"</button>
                            </PostForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
