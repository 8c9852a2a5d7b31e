//! Books: the designer's settings (books.design_data as one typed struct), the render's
//! progress and results, and preflight findings.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::story::StoryStatus;
use crate::urls;

mod input;
pub use input::*;

choice!(
    /// Trim size of the printed book.
    TrimSize {
        Trade6x9 = "6x9": "6 × 9 in (classic memoir)",
        Square8_5 = "8.5x8.5": "8.5 × 8.5 in (square, photo-friendly)",
        Letter8_5x11 = "8.5x11": "8.5 × 11 in (large)",
    } default Trade6x9
);

choice!(
    Template {
        Classic = "classic": "Classic — serif type, drop caps, centred headings",
        Modern = "modern": "Modern — clean sans-serif, left-aligned headings",
        PhotoHeavy = "photo_heavy": "Photo-heavy — large photos, lighter text",
    } default Classic
);

choice!(
    CoverLayout {
        FullBleedPhoto = "full_bleed_photo": "Full-bleed photo",
        FramedPhoto = "framed_photo": "Framed photo",
        TextOnly = "text_only": "Text only",
    } default TextOnly
);

choice!(
    Paper {
        Standard60 = "standard": "Standard 60# paper",
        Premium80 = "premium": "Premium 80# coated paper (richer photos)",
    } default Standard60
);

choice!(
    Binding {
        Paperback = "paperback": "Paperback",
        Hardcover = "hardcover": "Hardcover",
    } default Paperback
);

pub const DEFAULT_COVER_COLOUR: &str = "#2f4858";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoverDesign {
    pub layout: CoverLayout,
    /// `#rrggbb`.
    pub colour: String,
    pub photo_id: Option<Uuid>,
    pub back_text: String,
}

impl Default for CoverDesign {
    fn default() -> Self {
        CoverDesign {
            layout: CoverLayout::default(),
            colour: DEFAULT_COVER_COLOUR.to_owned(),
            photo_id: None,
            back_text: String::new(),
        }
    }
}

/// One story in the book, in book order. Photos linked to the story appear unless hidden,
/// with the gallery caption unless the book gives its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct BookStory {
    pub story_id: Uuid,
    pub hidden_photos: Vec<Uuid>,
    pub captions: BTreeMap<Uuid, String>,
    /// Print a QR code that plays this story's recording.
    pub qr_code: bool,
}

/// books.design_data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct BookDesign {
    pub subtitle: String,
    pub author_line: String,
    pub dedication: String,
    pub trim: TrimSize,
    pub paper: Paper,
    pub binding: Binding,
    pub template: Template,
    pub cover: CoverDesign,
    pub stories: Vec<BookStory>,
}

impl BookDesign {
    pub fn story(&self, story_id: Uuid) -> Option<&BookStory> {
        self.stories.iter().find(|s| s.story_id == story_id)
    }

    pub fn story_mut(&mut self, story_id: Uuid) -> Option<&mut BookStory> {
        self.stories.iter_mut().find(|s| s.story_id == story_id)
    }

    /// Moves a story to `position` (clamped), keeping the others' order.
    pub fn move_story(&mut self, story_id: Uuid, position: usize) -> bool {
        let Some(from) = self.stories.iter().position(|s| s.story_id == story_id) else {
            return false;
        };
        let item = self.stories.remove(from);
        let to = position.min(self.stories.len());
        self.stories.insert(to, item);
        true
    }
}

choice!(
    BookStatus {
        Draft = "draft": "Draft",
        ReadyToOrder = "ready_to_order": "Ready to order",
        Ordered = "ordered": "Ordered",
        Completed = "completed": "Completed",
    }
);

impl BookStatus {
    /// Ordered and completed books are at (or back from) the printer: their design is final.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Ordered | Self::Completed)
    }
}

choice!(
    RenderStatus {
        None = "none": "Not made yet",
        Queued = "queued": "Waiting to start",
        Rendering = "rendering": "Being made",
        Done = "done": "Done",
        Failed = "failed": "Failed",
    } default None
);

impl RenderStatus {
    pub fn in_progress(self) -> bool {
        matches!(self, Self::Queued | Self::Rendering)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    /// Nothing to fix; worth knowing (blank "Notes" pages fill a short book).
    Note,
}

/// One preflight result, already worded for the owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub story_id: Option<Uuid>,
    #[serde(default)]
    pub story_title: Option<String>,
    #[serde(default)]
    pub photo_thumbnail_url: Option<String>,
}

/// The progress and outcome of the latest render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderState {
    pub status: RenderStatus,
    pub stage: Option<String>,
    pub progress: i32,
    pub error: Option<String>,
    /// The PDF no longer matches the design (or a story in it changed since).
    pub outdated: bool,
    pub pdf_url: Option<String>,
    pub cover_pdf_url: Option<String>,
    pub rendered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookCard {
    pub id: Uuid,
    pub title: String,
    pub status: BookStatus,
    pub page_count: i32,
    pub story_count: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookList {
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub may_design: bool,
    pub books: Vec<BookCard>,
}

/// A photo of a story as the designer shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignerPhoto {
    pub id: Uuid,
    pub thumbnail_url: String,
    pub caption: String,
    pub shown: bool,
}

/// A campaign story as the designer lists it (in the book or available to add).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignerStory {
    pub id: Uuid,
    pub title: String,
    pub status: StoryStatus,
    pub word_count: i32,
    pub has_audio: bool,
    pub photos: Vec<DesignerPhoto>,
    pub qr_code: bool,
    /// The listening link printed as the QR code, when there is an active one.
    pub share_url: Option<String>,
}

/// Everything the designer page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookDetail {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub title: String,
    pub status: BookStatus,
    pub design: BookDesign,
    pub page_count: i32,
    pub story_count: i32,
    pub photo_count: i32,
    /// In book order.
    pub included: Vec<DesignerStory>,
    /// Campaign stories not in the book, in campaign order.
    pub available: Vec<DesignerStory>,
    /// Photos of the campaign, for the cover.
    pub cover_photos: Vec<DesignerPhoto>,
    pub render: RenderState,
    /// Names the preview images of the last finished render.
    pub render_id: Option<Uuid>,
    pub preflight: Vec<Finding>,
    pub may_design: bool,
    /// Copying needs the design permission, whatever the book's status.
    pub may_copy: bool,
    pub may_mark_ready: bool,
}

impl BookDetail {
    pub fn preflight_errors(&self) -> usize {
        self.preflight.iter().filter(|f| f.severity == Severity::Error).count()
    }
}

/// What a printed QR code opens: one story's recording, for anyone holding the link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedRecording {
    pub story_title: String,
    pub campaign_title: String,
    pub storyteller: Option<String>,
    pub audio_url: String,
    pub audio_mime: String,
}

/// URL of one preview page image (1-based page).
pub fn page_image_url(campaign_id: Uuid, book_id: Uuid, render_id: Uuid, page: usize) -> String {
    urls::render_page(campaign_id, book_id, render_id, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_data_round_trips_and_tolerates_missing_fields() {
        let d: BookDesign = serde_json::from_str("{}").unwrap();
        assert_eq!(d, BookDesign::default());
        let d: BookDesign =
            serde_json::from_str(r#"{"template":"modern","trim":"8.5x8.5","cover":{"layout":"framed_photo"}}"#)
                .unwrap();
        assert_eq!(d.template, Template::Modern);
        assert_eq!(d.cover.layout, CoverLayout::FramedPhoto);
        assert_eq!(d.cover.colour, DEFAULT_COVER_COLOUR);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(serde_json::from_value::<BookDesign>(json).unwrap(), d);
    }

    #[test]
    fn choices_parse_their_form_values_only() {
        for t in Template::ALL {
            assert_eq!(Template::parse(t.as_str()), Some(t));
        }
        assert_eq!(TrimSize::parse("8.5x8.5"), Some(TrimSize::Square8_5));
        assert_eq!(TrimSize::parse("4x6"), None);
    }

    #[test]
    fn moving_a_story_keeps_the_others_in_order() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        let mut d = BookDesign {
            stories: ids.iter().map(|&story_id| BookStory { story_id, ..Default::default() }).collect(),
            ..Default::default()
        };
        assert!(d.move_story(ids[3], 0));
        assert!(d.move_story(ids[0], 99));
        let order: Vec<Uuid> = d.stories.iter().map(|s| s.story_id).collect();
        assert_eq!(order, vec![ids[3], ids[1], ids[2], ids[0]]);
        assert!(!d.move_story(Uuid::new_v4(), 0));
    }
}
