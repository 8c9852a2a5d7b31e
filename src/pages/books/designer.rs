//! The book designer: print PDF and its progress, preflight and "ready to order", the
//! book's details, cover, and stories with their photos and QR codes. Every change is a
//! plain form, so the designer works without JavaScript; with it, stories can be dragged
//! and the progress follows live (public/enhance.js).
use crate::api::books::{CopyBook, DeleteBook, MarkBookReady, RenderBook, SaveBookCover, SaveBookDetails};
use crate::components::forms::PostForm;
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

use super::book_in_address;
use super::designer_stories::StoriesSection;
use crate::api::auth::take_flash;
use crate::components::forms::hidden;
use crate::components::forms::{form_error, Field, FormAlert};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::book::{
    Binding, BookDetail, BookStatus, CoverLayout, Paper, RenderState, RenderStatus, Severity, Template, TrimSize,
};
use crate::model::{count, Flash};
use crate::urls;

#[component]
pub fn BookDesignerPage() -> impl IntoView {
    let detail = book_in_address();
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match detail.await {
                        Ok(book) => view! { <Designer book flash/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

fn flash_for(flash: &Option<Flash>, forms: &[&str]) -> Option<Flash> {
    flash.clone().filter(|f| forms.contains(&f.form.as_str()))
}

#[component]
fn Designer(book: BookDetail, flash: Option<Flash>) -> impl IntoView {
    let base = urls::book(book.campaign_id, book.id);
    let stories_flash = flash_for(
        &flash,
        &["include_book_story", "move_book_story", "set_book_photo", "set_book_qr", "revoke_share_link"],
    );
    let print_flash = flash_for(&flash, &["render_book", "mark_book_ready", "delete_book", "copy_book"]);
    let details_flash = flash_for(&flash, &["save_book_details"]);
    let cover_flash = flash_for(&flash, &["save_book_cover"]);
    let status_note = match book.status {
        BookStatus::Draft => None,
        BookStatus::ReadyToOrder => {
            Some("Ready to order. Changing anything returns the book to draft, to be checked again.")
        }
        BookStatus::Ordered => Some("Ordered. The design is final."),
        BookStatus::Completed => Some("Printed and delivered."),
    };
    let may_design = book.may_design;
    view! {
        <Title text=format!("{} · Book designer · MyStoryFlow", book.title)/>
        <nav aria-label="Breadcrumb" class="crumbs"><ol>
            <li><a href=urls::campaign(book.campaign_id)>{book.campaign_title.clone()}</a></li>
            <li><a href=urls::books(book.campaign_id)>"Books"</a></li>
        </ol></nav>
        <h1>{book.title.clone()}</h1>
        <p class="book-status">
            <span class=format!("badge badge--{}", book.status.as_str())>{book.status.label()}</span>
            {status_note.map(|n| view! { " " <span class="muted">{n}</span> })}
        </p>
        {may_design.then(|| view! {
            <nav class="jump-links" aria-label="Sections of the designer">
                <a href="#print">"Print PDF"</a>
                <a href="#preflight">"Print check"</a>
                <a href="#details">"Details"</a>
                <a href="#cover">"Cover"</a>
                <a href="#stories">"Stories"</a>
            </nav>
        })}
        <PrintSection book=book.clone() base=base.clone() flash=print_flash/>
        <PreflightSection book=book.clone()/>
        {book.may_copy.then(|| view! {
            <PostForm action={ServerAction::<CopyBook>::new()} attr:class="copy-form">
                {hidden("campaign_id", book.campaign_id)}{hidden("book_id", book.id)}
                <button type="submit" class="button button--quiet">"Make a copy of this book"</button>
                <span class="muted">" For another edition, or a hardcover beside the paperback."</span>
            </PostForm>
        })}
        {may_design.then(|| view! {
            <DetailsSection book=book.clone() flash=details_flash/>
            <CoverSection book=book.clone() flash=cover_flash/>
            <StoriesSection book=book.clone() flash=stories_flash/>
            <section class="card danger-zone" aria-labelledby="delete-heading">
                <h2 id="delete-heading">"Delete this book"</h2>
                <p>"The stories and photos stay in the campaign; only this book's design and PDF go."</p>
                <PostForm action={ServerAction::<DeleteBook>::new()} attr:data-confirm="Delete this book? Its design and PDF will be gone.">
                    {hidden("campaign_id", book.campaign_id)}{hidden("book_id", book.id)}
                    <button type="submit" class="button button--danger">"Delete book"</button>
                </PostForm>
            </section>
        })}
    }
}

#[component]
fn PrintSection(book: BookDetail, base: String, flash: Option<Flash>) -> impl IntoView {
    let render = book.render.clone();
    let error = form_error(Signal::derive(|| None::<Result<(), AppError>>), flash.as_ref());
    let in_progress = render.status.in_progress();
    let button_label = if render.status == RenderStatus::None { "Make the print PDF" } else { "Make the PDF again" };
    let show_bar = in_progress || render.status == RenderStatus::Done;
    let done = render.status == RenderStatus::Done;
    view! {
        <section class="card" id="print" aria-labelledby="print-heading">
            <h2 id="print-heading">"Print PDF"</h2>
            <FormAlert error/>
            // As inner HTML: with scripting on, a noscript's content is text, which hydration
            // must not walk.
            {in_progress.then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="3">"#></noscript> })}
            {show_bar.then(|| view! {
                <RenderProgress render=render.clone() campaign_id=book.campaign_id book_id=book.id base=base.clone()/>
            })}
            {(render.status == RenderStatus::Failed).then(|| view! {
                <p class="notice notice--error" role="alert">{render.error.clone().unwrap_or_default()}</p>
            })}
            {(done && render.outdated).then(|| view! {
                <p class="notice">"The book has changed since this PDF was made. Make it again to see the changes."</p>
            })}
            {done.then(|| view! {
                <p>{format!(
                    "{} · {} · {}",
                    count(book.page_count, "page", "pages"),
                    count(book.story_count, "story", "stories"),
                    count(book.photo_count, "photo", "photos")
                )}</p>
                {render.cover_pdf_url.clone().map(|url| view! {
                    <img class="cover-thumb" src=url.replace("cover.pdf", "cover.png") alt="The cover: back, spine and front" width="360"/>
                })}
                <p class="button-row">
                    <a class="button" href=format!("{base}/preview")>"Preview every page"</a>
                    {render.pdf_url.clone().map(|url| view! {
                        <a class="button button--quiet" href=url download="">"Download the book PDF"</a>
                    })}
                    {render.cover_pdf_url.clone().map(|url| view! {
                        <a class="button button--quiet" href=url download="">"Download the cover PDF"</a>
                    })}
                </p>
            })}
            {(book.may_design && !in_progress).then(|| view! {
                <PostForm action={ServerAction::<RenderBook>::new()}>
                    {hidden("campaign_id", book.campaign_id)}{hidden("book_id", book.id)}
                    <button type="submit" class=if done && !render.outdated { "button button--quiet" } else { "button" }>{button_label}</button>
                </PostForm>
            })}
            {(render.status == RenderStatus::None).then(|| view! {
                <p class="muted">"Typesetting takes a few seconds; you can keep working meanwhile."</p>
            })}
        </section>
    }
}

#[component]
fn PreflightSection(book: BookDetail) -> impl IntoView {
    let done = book.render.status == RenderStatus::Done;
    let errors = book.preflight_errors();
    let can_mark = book.may_mark_ready && book.status == BookStatus::Draft && done && !book.render.outdated;
    view! {
        <section class="card" id="preflight" aria-labelledby="preflight-heading">
            <h2 id="preflight-heading">"Print check"</h2>
            {if !done {
                view! { <p class="muted">"The print check runs with every PDF: make the PDF to see it."</p> }.into_any()
            } else {
                let problems = book.preflight.iter().any(|f| f.severity != Severity::Note);
                view! {
                    {(!problems).then(|| view! { <p class="notice notice--ok">"No problems found."</p> })}
                    <ul class="findings">
                        {book.preflight.iter().map(|f| {
                            let (class, label) = match f.severity {
                                Severity::Error => ("finding finding--error", "Must fix: "),
                                Severity::Warning => ("finding finding--warning", "Check: "),
                                Severity::Note => ("finding finding--note", "Note: "),
                            };
                            let story_link = f.story_id.map(|id| urls::story_edit(book.campaign_id, id));
                            view! {
                                <li class=class>
                                    {f.photo_thumbnail_url.clone().map(|src| view! {
                                        <img class="finding__thumb" src=src alt=format!("The photo{}", f.story_title.as_ref().map(|t| format!(" in “{t}”")).unwrap_or_default()) width="64"/>
                                    })}
                                    <p><strong>{label}</strong>{f.message.clone()}
                                        {story_link.map(|href| view! { " " <a href=href>"Open the story"</a> })}
                                    </p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(book.status == BookStatus::ReadyToOrder).then(|| view! {
                <p class="notice notice--ok">"This book is ready to order."</p>
            })}
            {(book.status != BookStatus::Draft && book.may_design).then(|| view! {
                <p><a class="button" href=urls::order_book(book.campaign_id, book.id)>"Order printed copies"</a></p>
            })}
            {can_mark.then(|| if errors > 0 {
                view! { <p>"Fix the problems marked “Must fix”, make the PDF again, then mark the book ready."</p> }.into_any()
            } else {
                view! {
                    <PostForm action={ServerAction::<MarkBookReady>::new()} attr:class="ready-form">
                        {hidden("campaign_id", book.campaign_id)}{hidden("book_id", book.id)}
                        <div class="field field--checkbox">
                            <input type="checkbox" id="proofread" name="proofread" value="true" required/>
                            <label for="proofread">"I have proofread every page"</label>
                        </div>
                        <button type="submit" class="button">"Mark ready to order"</button>
                    </PostForm>
                }.into_any()
            })}
        </section>
    }
}

fn select<T: Copy + PartialEq + 'static>(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    all: &'static [T],
    current: T,
    value: fn(T) -> &'static str,
    text: fn(T) -> &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                {all.iter().map(|v| view! { <option value=value(*v) selected=*v == current>{text(*v)}</option> }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn DetailsSection(book: BookDetail, flash: Option<Flash>) -> impl IntoView {
    let save = ServerAction::<SaveBookDetails>::new();
    let error = form_error(save.value(), flash.as_ref());
    let typed =
        |name: &str, saved: &str| flash.as_ref().and_then(|f| f.value(name)).unwrap_or_else(|| saved.to_owned());
    let d = book.design.clone();
    let dedication = typed("dedication", &d.dedication);
    let title = typed("title", &book.title);
    let subtitle = typed("subtitle", &d.subtitle);
    let author_line = typed("author_line", &d.author_line);
    view! {
        <section class="card" id="details" aria-labelledby="details-heading">
            <h2 id="details-heading">"Book details"</h2>
            <PostForm action=save alert=false>
                <FormAlert error/>
                {hidden("campaign_id", book.campaign_id)}{hidden("book_id", book.id)}
                <Field id="book-title" name="title" label="Title" value=title error/>
                <Field id="book-subtitle" name="subtitle" label="Subtitle (optional)" value=subtitle error/>
                <Field id="book-author-line" name="author_line" label="Author line (optional)"
                    hint="For example, “As told by Robert Miller”." value=author_line error/>
                <div class="field">
                    <label for="book-dedication">"Dedication (optional)"</label>
                    <textarea id="book-dedication" name="dedication" rows="3">{dedication}</textarea>
                </div>
                {select("book-trim", "trim", "Page size", &TrimSize::ALL, d.trim, TrimSize::as_str, TrimSize::label)}
                {select("book-binding", "binding", "Binding", &Binding::ALL, d.binding, Binding::as_str, Binding::label)}
                <p class="field__hint">"Paperbacks are printed with at least 32 pages and hardcovers with 24; blank “Notes” "
                    "pages fill a shorter book."</p>
                {select("book-paper", "paper", "Paper", &Paper::ALL, d.paper, Paper::as_str, Paper::label)}
                <fieldset class="field choice-group">
                    <legend>"Template"</legend>
                    {Template::ALL.iter().map(|t| {
                        let id = format!("template-{}", t.as_str());
                        view! {
                            <div class="choice">
                                <input type="radio" id=id.clone() name="template" value=t.as_str() checked=*t == d.template/>
                                <label for=id>{t.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button">"Save details"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn CoverSection(book: BookDetail, flash: Option<Flash>) -> impl IntoView {
    let save = ServerAction::<SaveBookCover>::new();
    let error = form_error(save.value(), flash.as_ref());
    let cover = book.design.cover.clone();
    let back_text = flash.as_ref().and_then(|f| f.value("back_text")).unwrap_or(cover.back_text.clone());
    let colour_error = move || error.get().and_then(|e| e.field("colour"));
    view! {
        <section class="card" id="cover" aria-labelledby="cover-heading">
            <h2 id="cover-heading">"Cover"</h2>
            <PostForm action=save alert=false>
                <FormAlert error/>
                {hidden("campaign_id", book.campaign_id)}{hidden("book_id", book.id)}
                <fieldset class="field choice-group">
                    <legend>"Cover layout"</legend>
                    {CoverLayout::ALL.iter().map(|l| {
                        let id = format!("cover-{}", l.as_str());
                        view! {
                            <div class="choice">
                                <input type="radio" id=id.clone() name="layout" value=l.as_str() checked=*l == cover.layout/>
                                <label for=id>{l.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="cover-colour">"Cover colour"</label>
                    <input type="color" id="cover-colour" name="colour" value=cover.colour.clone()/>
                    {move || colour_error().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <fieldset class="field choice-group">
                    <legend>"Cover photo"</legend>
                    <div class="choice">
                        <input type="radio" id="cover-photo-none" name="photo_id" value="" checked=cover.photo_id.is_none()/>
                        <label for="cover-photo-none">"No photo"</label>
                    </div>
                    <div class="photo-choices">
                        {book.cover_photos.iter().enumerate().map(|(i, p)| {
                            let id = format!("cover-photo-{}", p.id);
                            let name = if p.caption.is_empty() { format!("Photo {}", i + 1) } else { p.caption.clone() };
                            view! {
                                <div class="photo-choice">
                                    <input type="radio" id=id.clone() name="photo_id" value=p.id.to_string() checked=cover.photo_id == Some(p.id)/>
                                    <label for=id>
                                        <img src=p.thumbnail_url.clone() alt="" width="96"/>
                                        <span>{name}</span>
                                    </label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    {book.cover_photos.is_empty().then(|| view! {
                        <p class="muted">"Upload photos to the campaign to use one on the cover."</p>
                    })}
                </fieldset>
                <div class="field">
                    <label for="cover-back-text">"Back cover text (optional)"</label>
                    <textarea id="cover-back-text" name="back_text" rows="4">{back_text}</textarea>
                </div>
                <button type="submit" class="button">"Save cover"</button>
            </PostForm>
        </section>
    }
}

/// The print PDF's progress bar. With JavaScript it follows the render by itself (the slim
/// `book_progress` server function, every 0.7 s) and, when it ends, has the page load its data
/// again; without, the noscript refresh and the "Update progress" button do.
#[component]
fn RenderProgress(render: RenderState, campaign_id: Uuid, book_id: Uuid, base: String) -> impl IntoView {
    let in_progress = render.status.in_progress();
    let _ = (campaign_id, book_id); // followed from the browser only
    let state = RwSignal::new(render);
    let following = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if !in_progress {
            return;
        }
        following.set(true);
        crate::components::follow::follow(
            std::time::Duration::from_millis(700),
            move || async move { crate::api::books::book_progress(campaign_id, book_id).await.ok() },
            move |now: RenderState| {
                let finished = !now.status.in_progress();
                let _ = state.try_set(now);
                if finished {
                    crate::components::forms::Changes::notify();
                }
                finished
            },
        );
    });
    let percent = move || state.with(|r| if r.status == RenderStatus::Done { 100 } else { r.progress });
    let stage = move || {
        state.with(|r| match r.status {
            RenderStatus::Done => "Done".to_owned(),
            _ => r.stage.clone().unwrap_or_else(|| "Waiting to start".to_owned()),
        })
    };
    view! {
        <div class="render-progress" data-render-progress=move || state.with(|r| r.status.as_str())>
            <div role="progressbar" aria-label="Print PDF progress" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=move || percent().to_string() class="progress">
                <div class="progress__bar" style=move || format!("width: {}%", percent())></div>
            </div>
            <p class="render-progress__text" aria-live="polite">
                <span>{stage}</span>" · "<span>{move || format!("{}%", percent())}</span>
            </p>
            // Without JavaScript the page can't follow by itself (the noscript refresh
            // covers browsers that honour it).
            {in_progress.then(|| view! {
                <form method="get" action=base.clone() hidden=move || following.get()>
                    <button type="submit" class="button button--small button--quiet">"Update progress"</button>
                </form>
            })}
        </div>
    }
}
