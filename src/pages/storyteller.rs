//! `/s/:token`: the storyteller's own page, from their link, without an account. One
//! question in large type and one main action at a time: record (public/enhance.js drives
//! the microphone and keeps the recording in the browser until the server has it) or
//! write. Without JavaScript the writing form and a file input that opens the phone's own
//! recorder both work. The page is served without the wasm bundle (`app::hydrates`).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::api::auth::take_flash;
use crate::api::storyteller::{open_storyteller_link, AnswerInWriting, SkipMyQuestion};
use crate::components::forms::hidden;
use crate::components::forms::{form_error, FormAlert, PostForm};
use crate::error::AppError;
use crate::model::question::QuestionStatus;
use crate::model::storyteller::{AskedQuestion, StorytellerPage, StorytellerView};
use crate::model::Flash;
use crate::urls;

#[component]
pub fn StorytellerPageView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let wanted = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    // After an answer or a skip the page moves to ?thanks= or ?skipped=, and reloads its data.
    let moved = Memo::new(move |_| {
        let q = query.read();
        (q.get("thanks").unwrap_or_default(), q.get("skipped").unwrap_or_default())
    });
    let data = Resource::new(
        move || (token.get(), wanted.get(), moved.get()),
        |(token, q, _)| open_storyteller_link(token, q),
    );
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <div class="storyteller">
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let result = data.await;
                    let (thanks, problem) = query.with_untracked(|q| {
                        (q.get("thanks").and_then(|t| t.parse::<Uuid>().ok()), q.get("problem"))
                    });
                    match result {
                        Ok(StorytellerPage::Open(view)) => {
                            view! { <Open view token=token.get_untracked() flash thanks problem/> }.into_any()
                        }
                        Ok(StorytellerPage::Replaced { ask }) => view! {
                            <Title text="This link was replaced · MyStoryFlow"/>
                            <section class="storyteller__card">
                                <h1>"This link was replaced"</h1>
                                <p class="storyteller__lead">{format!("Your family made a new link. Please ask {ask} for the new one.")}</p>
                                <p>"Everything you already sent is safe."</p>
                            </section>
                        }.into_any(),
                        Err(AppError::NotFound) => view! {
                            <Title text="This link doesn't work · MyStoryFlow"/>
                            <section class="storyteller__card">
                                <h1>"This link doesn't work"</h1>
                                <p class="storyteller__lead">"Please check that the whole link was copied, or ask your family to send it again."</p>
                            </section>
                        }.into_any(),
                        Err(error) => view! {
                            <Title text="MyStoryFlow"/>
                            <section class="storyteller__card">
                                <h1>"Something went wrong"</h1>
                                <p class="storyteller__lead" role="alert">{error.to_string()}</p>
                            </section>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// What a refused plain-form upload (`?problem=`) says.
fn problem_message(code: &str) -> &'static str {
    match code {
        "too-large" => "That recording is too large to send. Please record a shorter answer, or write it instead.",
        "not-audio" => "That file isn't a recording we can play. Please try recording again.",
        "too-many" => "Many answers were sent in the last hour. Thank you! Please wait a little before sending more.",
        "gone" => "That question can't be answered any more.",
        _ => "Your recording didn't arrive. Please try again.",
    }
}

#[component]
fn Open(
    view: StorytellerView,
    token: String,
    flash: Option<Flash>,
    thanks: Option<Uuid>,
    problem: Option<String>,
) -> impl IntoView {
    let greeting = match &view.storyteller_name {
        Some(name) => format!("Hello, {name}"),
        None => "Hello".to_owned(),
    };
    let thanked = thanks.filter(|id| view.earlier.iter().any(|q| q.id == *id && q.status == QuestionStatus::Answered));
    view! {
        <Title text=format!("{} · MyStoryFlow", view.campaign_title)/>
        <header class="storyteller__header">
            <h1>{greeting}</h1>
            <p class="storyteller__for">{format!("Your stories for “{}”", view.campaign_title)}</p>
        </header>
        // enhance.js forgets the answer's draft kept on the phone once the server has it.
        {thanked.map(|id| view! {
            <p class="storyteller__thanks" role="status" data-draft-sent=draft_key(id)>"Thank you! Your answer is with your family."</p>
        })}
        {problem.map(|p| view! { <p class="form-alert" role="alert">{problem_message(&p)}</p> })}
        {match view.current {
            Some(question) => view! { <Current question token=token.clone() flash/> }.into_any(),
            None => view! {
                <section class="storyteller__card">
                    <p class="storyteller__lead">"There is no new question right now. Your family will send the next one soon."</p>
                </section>
            }.into_any(),
        }}
        {(!view.earlier.is_empty()).then(|| view! { <Earlier questions=view.earlier token/> })}
    }
}

/// Where public/enhance.js keeps what the storyteller has written to this question, until
/// the server has it.
fn draft_key(question: Uuid) -> String {
    format!("draft-{question}")
}

#[component]
fn Current(question: AskedQuestion, token: String, flash: Option<Flash>) -> impl IntoView {
    let answer = ServerAction::<AnswerInWriting>::new();
    let skip = ServerAction::<SkipMyQuestion>::new();
    // Without JavaScript the server redirects; here the page moves itself.
    let navigate = leptos_router::hooks::use_navigate();
    let (after_answer, after_skip) = (
        crate::api::storyteller::thanks(&token, question.id),
        format!("{}?skipped={}", urls::storyteller(&token), question.id),
    );
    Effect::new(move |_| {
        if matches!(answer.value().get(), Some(Ok(()))) {
            navigate(&after_answer, Default::default());
        } else if matches!(skip.value().get(), Some(Ok(()))) {
            navigate(&after_skip, Default::default());
        }
    });
    let answer_flash = flash.clone().filter(|f| f.form == "answer");
    let written = answer_flash.as_ref().and_then(|f| f.value("answer")).unwrap_or_default();
    let error = form_error(answer.value(), answer_flash.as_ref());
    let skip_error = form_error(skip.value(), flash.filter(|f| f.form == "skip").as_ref());
    let id = question.id.to_string();
    let upload = urls::storyteller_answer(&token);
    let done = crate::api::storyteller::thanks(&token, question.id);
    let (keep, draft) = (format!("answer-{id}"), draft_key(question.id));
    let (token2, id2, id3) = (token.clone(), id.clone(), id.clone());
    view! {
        <section class="storyteller__card" aria-labelledby="current-question">
            <p class="storyteller__kicker">"This week's question"</p>
            <h2 id="current-question" class="storyteller__question">{question.question.clone()}</h2>
            {question.photo_url.clone().map(|src| view! {
                <img class="storyteller__photo" src=src alt="The photo this question is about"/>
            })}
        </section>

        // enhance.js reveals this where the browser can record, and keeps each recording
        // in IndexedDB until the server has answered for it.
        <section class="storyteller__card recorder storyteller__recorder" data-recorder data-upload=upload.clone()
            data-done=done data-keep=keep aria-labelledby="record-heading" hidden>
            <h2 id="record-heading">"Answer by talking"</h2>
            <input type="hidden" name="question_id" value=id.clone()/>
            <p class="recorder__timer" aria-live="off" data-step="recording" hidden>"0:00"</p>
            <div class="button-row">
                <button type="button" class="button button--big" data-action="start" data-step="idle">"Record my answer"</button>
                <button type="button" class="button button--big" data-action="stop" data-step="recording" hidden>"Stop"</button>
            </div>
            <audio class="recorder__preview" controls data-step="stopped" hidden aria-label="Listen to your answer"></audio>
            <div class="button-row">
                <button type="button" class="button button--big" data-action="upload" data-step="stopped" hidden>"Send my answer"</button>
                <button type="button" class="button button--quiet" data-action="discard" data-step="stopped" hidden>"Record again"</button>
            </div>
            <p class="recorder__message" role="status"></p>
        </section>

        <section class="storyteller__card" aria-labelledby="write-heading">
            <h2 id="write-heading">"Answer by writing"</h2>
            // enhance.js keeps what is written here on the phone until the page says it
            // arrived, and holds it back while there is no connection.
            <PostForm action=answer alert=false attr:data-draft=draft>
                <FormAlert error/>
                {hidden("token", token.clone())}
                {hidden("question_id", id2)}
                <div class="field">
                    <label for="answer">"Write my answer"</label>
                    <textarea id="answer" name="answer" rows="8">{written}</textarea>
                </div>
                <button type="submit" class="button button--big">"Send my written answer"</button>
            </PostForm>
        </section>

        <section class="storyteller__card" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Send a recording from your phone"</h2>
            <form method="post" action=upload enctype="multipart/form-data">
                <input type="hidden" name="question_id" value=id3/>
                <div class="field">
                    <label for="answer-audio">"Choose or make a recording"</label>
                    <input id="answer-audio" type="file" name="audio" accept="audio/*" capture="user" required/>
                </div>
                <button type="submit" class="button button--quiet">"Send this recording"</button>
            </form>
        </section>

        <section class="storyteller__card storyteller__skip">
            <PostForm action=skip alert=false>
                <FormAlert error=skip_error/>
                {hidden("token", token2)}
                {hidden("question_id", question.id)}
                <button type="submit" class="button button--quiet">"Skip this question"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn Earlier(questions: Vec<AskedQuestion>, token: String) -> impl IntoView {
    view! {
        <section class="storyteller__card" aria-labelledby="earlier-heading">
            <h2 id="earlier-heading">"Earlier questions"</h2>
            <ul class="storyteller__earlier">
                {questions.into_iter().map(|q| {
                    let link = urls::storyteller_question(&token, q.id);
                    view! {
                        <li>
                            <p class="storyteller__earlier-question">{q.question.clone()}</p>
                            {match (q.status, q.answer.clone()) {
                                (QuestionStatus::Answered, Some(answer)) => view! {
                                    <p class="muted">{if answer.recorded { "You answered by talking." } else { "You answered in writing." }}</p>
                                    {(!answer.text.is_empty()).then(|| view! { <p class="storyteller__answer">{answer.text.clone()}</p> })}
                                }.into_any(),
                                (QuestionStatus::Skipped, _) => view! { <p class="muted">"Skipped"</p> }.into_any(),
                                (QuestionStatus::Sent, _) => view! { <a class="button button--quiet" href=link>"Answer this question"</a> }.into_any(),
                                _ => view! { <p class="muted">"Answered"</p> }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
