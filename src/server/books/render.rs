//! The book render job: gathers a book's stories and photos, typesets them with
//! `mystoryflow_book` (typst), stores the interior PDF, the cover spread and one preview
//! image per page, and reports its stage and percentage on the book's row as it goes.
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{anyhow, Context, Result};
use mystoryflow_book as print;
use uuid::Uuid;

use super::findings::word;
use super::listen_url;
use crate::model::book::{Binding, CoverLayout, Finding, Paper, Severity, Template, TrimSize};
use crate::server::db::jobs;
use crate::server::db::renders::{self as db, RenderInput, RenderOutcome};
use crate::server::jobs::Job;
use crate::server::keys::{self, render_prefix};
use crate::server::media::{photo, Storage};
use crate::server::state::AppState;
use crate::urls;

pub const JOB_KIND: &str = "render_book";
/// Resolution of the preview page images: sharp at 200% zoom, where typos are looked for.
pub const PREVIEW_PPI: f32 = 150.0;
const PRINT_DPI: f64 = 300.0;

/// One typesetter per process: its fonts are loaded once and typst's caches make the next
/// render of the same book fast.
fn typesetter() -> &'static Mutex<print::Typesetter> {
    static TYPESETTER: OnceLock<Mutex<print::Typesetter>> = OnceLock::new();
    TYPESETTER.get_or_init(|| Mutex::new(print::Typesetter::new()))
}

/// Runs one queued render here, in this process, if there is one; returns whether there was.
/// (The server runs each render in a child process instead: `books::isolated`.)
pub async fn run_once(state: &AppState) -> Result<bool> {
    let Some(job) = jobs::claim(&state.db, &[JOB_KIND.to_owned()]).await? else {
        return Ok(false);
    };
    run_job(state, &job).await?;
    Ok(true)
}

/// The book and render a job is for, or `None` for a payload that names neither.
pub fn job_target(job: &Job) -> Option<(Uuid, Uuid)> {
    let id = |key: &str| job.payload[key].as_str().and_then(|s| s.parse::<Uuid>().ok());
    Some((id("book_id")?, id("render_job")?))
}

/// Renders a claimed job and completes it (a failed render is reported on the book).
pub async fn run_job(state: &AppState, job: &Job) -> Result<()> {
    let Some((book_id, render_job)) = job_target(job) else {
        jobs::fail(&state.db, &Job { attempts: job.max_attempts, ..job.clone() }, "bad payload").await?;
        return Ok(());
    };
    match render(state, book_id, render_job).await {
        Ok(()) => {}
        Err(err) => {
            tracing::error!(error = ?err, %book_id, "book render failed");
            db::fail_render(
                &state.db,
                book_id,
                render_job,
                "We couldn't make the PDF this time. Please try again; if it keeps failing, tell us which book it is.",
            )
            .await?;
        }
    }
    jobs::complete(&state.db, job.id).await?;
    Ok(())
}

fn trim(t: TrimSize) -> print::TrimSize {
    match t {
        TrimSize::Trade6x9 => print::TrimSize::Trade6x9,
        TrimSize::Square8_5 => print::TrimSize::Square8_5,
        TrimSize::Letter8_5x11 => print::TrimSize::Letter8_5x11,
    }
}

fn template(t: Template) -> print::Template {
    match t {
        Template::Classic => print::Template::Classic,
        Template::Modern => print::Template::Modern,
        Template::PhotoHeavy => print::Template::PhotoHeavy,
    }
}

fn cover_layout(c: CoverLayout) -> print::CoverLayout {
    match c {
        CoverLayout::FullBleedPhoto => print::CoverLayout::FullBleedPhoto,
        CoverLayout::FramedPhoto => print::CoverLayout::FramedPhoto,
        CoverLayout::TextOnly => print::CoverLayout::TextOnly,
    }
}

fn paper(p: Paper) -> print::Paper {
    match p {
        Paper::Standard60 => print::Paper::Standard60,
        Paper::Premium80 => print::Paper::Premium80,
    }
}

fn binding(b: Binding) -> print::Binding {
    match b {
        Binding::Paperback => print::Binding::Paperback,
        Binding::Hardcover => print::Binding::Hardcover,
    }
}

/// Progress reporter that knows whether this render is still wanted.
struct Progress<'a> {
    state: &'a AppState,
    book_id: Uuid,
    job: Uuid,
}

impl Progress<'_> {
    async fn report(&self, stage: &str, percent: i32) -> Result<()> {
        if db::report_progress(&self.state.db, self.book_id, self.job, stage, percent).await? {
            Ok(())
        } else {
            Err(Superseded.into())
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a newer render of this book replaced this one")]
struct Superseded;

/// The original, upright and downsampled to 300 dpi at `size_in` (never upscaled).
async fn print_photo(storage: &Storage, campaign_id: Uuid, photo_id: Uuid, size_in: (f64, f64)) -> Result<Vec<u8>> {
    let original = storage.read_all(&keys::photo(campaign_id, photo_id, "original")).await?;
    let max_w = (size_in.0 * PRINT_DPI).ceil() as u32;
    let max_h = (size_in.1 * PRINT_DPI).ceil() as u32;
    let (jpeg, _, _) = tokio::task::spawn_blocking(move || photo::print_rendition(&original, max_w, max_h))
        .await?
        .map_err(|e| anyhow!("{e}"))?;
    Ok(jpeg)
}

async fn render(state: &AppState, book_id: Uuid, job: Uuid) -> Result<()> {
    match render_inner(state, book_id, job).await {
        // Another render took over (what this one stored is already removed).
        Err(err) if err.is::<Superseded>() => Ok(()),
        other => other,
    }
}

async fn render_inner(state: &AppState, book_id: Uuid, job: Uuid) -> Result<()> {
    let progress = Progress { state, book_id, job };
    let Some(input) = db::start_render(&state.db, book_id, job).await? else {
        return Ok(());
    };
    let fewest = fewest_pages(&input.stories);
    let most = print::page_limits(binding(input.design.binding)).1;
    if fewest > most {
        // Typesetting 20,000 pages would take the server's memory and minutes of CPU first.
        let message = format!(
            "This book would have at least {fewest} pages, more than the {most} a printed book can have. \
             Leave some stories out, or make it two books."
        );
        db::fail_render(&state.db, book_id, job, &message).await?;
        return Ok(());
    }
    let prefix = render_prefix(input.campaign_id, book_id, job);
    let stored = async {
        let (spec, mut findings, photo_count) = gather(state, &input, &progress).await?;
        progress.report("Typesetting the pages", 45).await?;
        let spec = Arc::new(spec);
        let typeset_spec = spec.clone();
        let (interior, pdf, cover_pdf, cover_png) = tokio::task::spawn_blocking(move || {
            let mut ts = typesetter().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let interior = ts.interior(&typeset_spec)?;
            let pdf = interior.pdf()?;
            let cover = ts.cover(&typeset_spec, interior.page_count())?;
            Ok::<_, print::BookError>((interior, pdf, cover.pdf()?, cover.png(40.0)?))
        })
        .await?
        .context("typesetting")?;
        let pages = interior.page_count();
        findings.extend(print::page_findings(pages, spec.binding).into_iter().map(|f| word(&f, &input)));
        findings.extend(print::notes_finding(interior.written_pages(), spec.binding).map(|f| word(&f, &input)));

        progress.report("Saving the PDF", 55).await?;
        state.storage.put_bytes(&format!("{prefix}/book.pdf"), pdf).await?;
        state.storage.put_bytes(&format!("{prefix}/cover.pdf"), cover_pdf).await?;
        state.storage.put_bytes(&format!("{prefix}/cover.png"), cover_png).await?;

        let interior = Arc::new(interior);
        const BATCH: usize = 8;
        for first in (0..pages).step_by(BATCH) {
            progress
                .report(
                    &format!("Drawing page previews ({} of {pages})", first + 1),
                    60 + (38 * first / pages.max(1)) as i32,
                )
                .await?;
            let doc = interior.clone();
            let last = (first + BATCH).min(pages);
            let images = tokio::task::spawn_blocking(move || {
                (first..last).map(|i| doc.page_png(i, PREVIEW_PPI)).collect::<Result<Vec<_>, _>>()
            })
            .await?
            .context("drawing previews")?;
            for (offset, png) in images.into_iter().enumerate() {
                state.storage.put_bytes(&format!("{prefix}/pages/{}.png", first + offset + 1), png).await?;
            }
        }
        let base = urls::render_files(input.campaign_id, book_id, job);
        Ok::<_, anyhow::Error>(RenderOutcome {
            design_version: input.design_version,
            page_count: pages as i32,
            story_count: spec.stories.len() as i32,
            photo_count,
            pdf_url: format!("{base}/book.pdf"),
            cover_pdf_url: format!("{base}/cover.pdf"),
            preview_url: format!("{base}/pages/1.png"),
            preflight: serde_json::to_value(&findings)?,
        })
    }
    .await;
    let outcome = match stored {
        Ok(outcome) => outcome,
        Err(err) => {
            state.storage.delete_prefix(&prefix).await;
            return Err(err);
        }
    };
    match db::finish_render(&state.db, book_id, job, &outcome).await? {
        Some(previous) => {
            if let Some(previous) = previous.filter(|p| *p != job) {
                state.storage.delete_prefix(&render_prefix(input.campaign_id, book_id, previous)).await;
            }
        }
        None => state.storage.delete_prefix(&prefix).await,
    }
    Ok(())
}

/// Builds the typesetting input: photos fetched from their originals and prepared for
/// print, QR codes for stories whose listening link is on, and the preflight findings.
async fn gather(
    state: &AppState,
    input: &RenderInput,
    progress: &Progress<'_>,
) -> Result<(print::BookSpec, Vec<Finding>, i32)> {
    let design = &input.design;
    let (t, tpl) = (trim(design.trim), template(design.template));
    let mut findings = Vec::new();
    let shown = |story: &db::RenderStory| -> Vec<Uuid> {
        let hidden = design.story(story.id).map(|s| s.hidden_photos.clone()).unwrap_or_default();
        story.photo_ids.iter().copied().filter(|p| !hidden.contains(p) && input.photos.contains_key(p)).collect()
    };
    let total: usize =
        input.stories.iter().map(|s| shown(s).len()).sum::<usize>() + usize::from(design.cover.photo_id.is_some());
    let mut done = 0usize;
    let mut photo_count = 0;
    let mut stories = Vec::with_capacity(input.stories.len());
    for story in &input.stories {
        let choice = design.story(story.id).cloned().unwrap_or_default();
        let mut photos = Vec::new();
        for photo_id in shown(story) {
            done += 1;
            progress
                .report(&format!("Preparing photos ({done} of {total})"), 2 + (40 * done / total.max(1)) as i32)
                .await?;
            let (w, h, caption) = input.photos[&photo_id].clone();
            let size = print::photo_print_size_in(t, tpl, w.max(1) as u32, h.max(1) as u32);
            match print_photo(&state.storage, input.campaign_id, photo_id, size).await {
                Ok(bytes) => {
                    photo_count += 1;
                    photos.push(print::Photo {
                        id: photo_id.to_string(),
                        bytes,
                        original_width: w.max(1) as u32,
                        original_height: h.max(1) as u32,
                        caption: choice.captions.get(&photo_id).cloned().or(caption).unwrap_or_default(),
                    });
                }
                Err(err) => {
                    tracing::warn!(error = ?err, %photo_id, "photo left out of the book");
                    findings.push(Finding {
                        severity: Severity::Warning,
                        message: format!("A photo of “{}” couldn't be read and was left out.", story.title),
                        story_id: Some(story.id),
                        story_title: Some(story.title.clone()),
                        photo_thumbnail_url: Some(urls::photo_thumbnail(input.campaign_id, photo_id)),
                    });
                }
            }
        }
        let qr_url = (choice.qr_code && story.has_audio)
            .then(|| input.share_links.get(&story.id).map(|link| listen_url(state, *link)))
            .flatten();
        stories.push(print::Story {
            id: story.id.to_string(),
            title: story.title.clone(),
            markdown: story.content.clone(),
            photos,
            qr_url,
        });
    }
    let cover_photo = match design.cover.photo_id.filter(|id| input.photos.contains_key(id)) {
        Some(photo_id) => {
            progress.report("Preparing the cover photo", 44).await?;
            let (w, h, _) = input.photos[&photo_id].clone();
            let (tw, th) = trim_inches(design.trim);
            let size = (tw + 2.0 * print::BLEED_IN, th + 2.0 * print::BLEED_IN);
            // Cover the panel: the short side decides.
            let scale = (size.0 / w.max(1) as f64).max(size.1 / h.max(1) as f64);
            let fit = (w.max(1) as f64 * scale, h.max(1) as f64 * scale);
            print_photo(&state.storage, input.campaign_id, photo_id, fit).await.ok().map(|bytes| print::Photo {
                id: photo_id.to_string(),
                bytes,
                original_width: w.max(1) as u32,
                original_height: h.max(1) as u32,
                caption: String::new(),
            })
        }
        None => None,
    };
    let spec = print::BookSpec {
        title: input.title.clone(),
        subtitle: design.subtitle.clone(),
        author_line: design.author_line.clone(),
        dedication: design.dedication.clone(),
        trim: t,
        template: tpl,
        paper: paper(design.paper),
        binding: binding(design.binding),
        cover: print::Cover {
            layout: cover_layout(design.cover.layout),
            colour: design.cover.colour.clone(),
            photo: cover_photo,
            back_text: design.cover.back_text.clone(),
        },
        stories,
    };
    let mut worded: Vec<Finding> = print::preflight(&spec).iter().map(|f| word(f, input)).collect();
    worded.append(&mut findings);
    worded.sort_by_key(|f| f.severity != Severity::Error);
    Ok((spec, worded, photo_count))
}

pub fn trim_inches(t: TrimSize) -> (f64, f64) {
    match t {
        TrimSize::Trade6x9 => (6.0, 9.0),
        TrimSize::Square8_5 => (8.5, 8.5),
        TrimSize::Letter8_5x11 => (8.5, 11.0),
    }
}

/// A lower bound on the interior's pages, known before typesetting: every story starts on a
/// page of its own, and no page holds more than 4,000 characters or 4 photos.
fn fewest_pages(stories: &[db::RenderStory]) -> usize {
    let chars: usize = stories.iter().map(|s| s.title.chars().count() + s.content.chars().count()).sum();
    let photos: usize = stories.iter().map(|s| s.photo_ids.len()).sum();
    stories.len().max(chars / 4000 + photos / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::book as model;

    fn story(chars: usize, photos: usize) -> db::RenderStory {
        db::RenderStory {
            id: Uuid::new_v4(),
            title: String::new(),
            content: "x".repeat(chars),
            has_audio: false,
            photo_ids: (0..photos).map(|_| Uuid::new_v4()).collect(),
        }
    }

    #[test]
    fn a_book_too_long_to_print_is_known_before_typesetting() {
        assert_eq!(fewest_pages(&[]), 0);
        assert_eq!(fewest_pages(&[story(10, 0), story(10, 0)]), 2, "a page per story at least");
        assert_eq!(fewest_pages(&[story(40_000, 8)]), 12);
        // 20,000 pages of text: refused without typesetting.
        assert!(fewest_pages(&[story(80_000_000, 0)]) > 800);
        // A real 300-page book is nowhere near the bound.
        let book: Vec<_> = (0..75).map(|_| story(6_000, 2)).collect();
        assert!(fewest_pages(&book) < 300);
    }

    #[test]
    fn every_template_and_trim_maps_to_the_typesetter() {
        for t in TrimSize::ALL {
            let _ = trim(t);
            assert!(trim_inches(t).0 >= 6.0);
        }
        for t in Template::ALL {
            let _ = template(t);
        }
        assert_eq!(model::Severity::Error, Severity::Error);
    }
}
