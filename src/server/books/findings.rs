//! The print check's findings in the owner's words: which story, which photo, what to do.
use mystoryflow_book as print;
use uuid::Uuid;

use crate::model::book::{Finding, Severity};
use crate::model::count;
use crate::server::db::renders::RenderInput;
use crate::urls;

/// Says a typesetting finding in the owner's words, naming the story and showing the photo.
pub(super) fn word(finding: &print::Finding, input: &RenderInput) -> Finding {
    let story = |id: &Option<String>| -> (Option<Uuid>, Option<String>) {
        let id = id.as_deref().and_then(|s| s.parse::<Uuid>().ok());
        let title = id.and_then(|id| input.stories.iter().find(|s| s.id == id)).map(|s| s.title.clone());
        (id, title)
    };
    let thumb = |photo: &str| photo.parse::<Uuid>().ok().map(|p| urls::photo_thumbnail(input.campaign_id, p));
    let severity = match finding.severity() {
        print::Severity::Error => Severity::Error,
        print::Severity::Warning => Severity::Warning,
        print::Severity::Note => Severity::Note,
    };
    let quoted = |t: &Option<String>| t.as_deref().map(|t| format!("“{t}”")).unwrap_or_else(|| "a story".to_owned());
    let (story_id, story_title, photo_thumbnail_url, message) = match finding {
        print::Finding::NoStories => (None, None, None, "The book has no stories yet. Add at least one story.".to_owned()),
        print::Finding::TooManyPages { pages, max } => (
            None,
            None,
            None,
            format!("The book has {pages} pages; the printer binds at most {max}. Leave out some stories or choose a larger page size."),
        ),
        print::Finding::PaddedWithNotes { written, min, binding } => {
            let shorter = match binding {
                print::Binding::Paperback => {
                    let (hardcover_min, _) = print::page_limits(print::Binding::Hardcover);
                    format!(" A hardcover needs only {hardcover_min} pages.")
                }
                print::Binding::Hardcover => String::new(),
            };
            let what = match binding {
                print::Binding::Paperback => "Paperbacks",
                print::Binding::Hardcover => "Hardcovers",
            };
            (
                None,
                None,
                None,
                format!(
                    "Your stories fill {}. {what} are printed with at least {min} pages, so {} for the family to \
                     write in fill the rest.{shorter}",
                    count(*written as i64, "page", "pages"),
                    count((*min - *written) as i64, "blank “Notes” page", "blank “Notes” pages"),
                ),
            )
        }
        print::Finding::MissingCoverPhoto => (
            None,
            None,
            None,
            "The cover layout needs a photo. Choose a cover photo, or the text-only cover.".to_owned(),
        ),
        print::Finding::LowResolutionPhoto { story_id, photo_id, dpi } => {
            let (id, title) = story(story_id);
            let message = match &title {
                Some(_) => format!(
                    "A photo in {} is only {dpi} dpi at its printed size and may print blurry (300 dpi is best). Use a larger original, or leave it out.",
                    quoted(&title)
                ),
                None if story_id.is_none() => format!(
                    "The cover photo is only {dpi} dpi at its printed size and may print blurry (300 dpi is best). Choose a larger photo."
                ),
                None => format!("A photo is only {dpi} dpi at its printed size and may print blurry."),
            };
            (id, title, thumb(photo_id), message)
        }
        print::Finding::MissingGlyphs { story_id, characters } => {
            let (id, title) = story(story_id);
            let place = if story_id.is_some() { quoted(&title) } else { "The book's title or cover".to_owned() };
            (
                id,
                title,
                None,
                format!(
                    "{place} contains characters the book's fonts can't print: {characters} (emoji, for example). They would print as empty boxes; replace them with words."
                ),
            )
        }
        print::Finding::EmptyStory { story_id } => {
            let (id, title) = story(&Some(story_id.clone()));
            (id, title.clone(), None, format!("{} has no text yet; only its title would print.", quoted(&title)))
        }
        print::Finding::LongTitle { story_id, length } => {
            let (id, title) = story(&Some(story_id.clone()));
            (
                id,
                title.clone(),
                None,
                format!("The title of {} is {length} characters long; it will wrap in the contents and the page headers.", quoted(&title)),
            )
        }
    };
    Finding { severity, message, story_id, story_title, photo_thumbnail_url }
}
