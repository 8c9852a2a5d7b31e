//! Stories: what a family writes or records, with its audio, transcription and photos.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;
use crate::error::{AppError, FieldErrors};

pub const MAX_STORY_TITLE_CHARS: usize = 200;
/// About 80,000 words: far beyond any one story, small enough to save in a blink.
pub const MAX_STORY_CONTENT_CHARS: usize = 500_000;
pub const MAX_CATEGORY_CHARS: usize = 60;

/// The suggested categories; anything else typed by the family is kept as a custom one.
pub const CATEGORIES: [(&str, &str); 10] = [
    ("childhood", "Childhood"),
    ("school", "School"),
    ("career", "Career"),
    ("family", "Family"),
    ("love", "Love"),
    ("travel", "Travel"),
    ("traditions", "Traditions"),
    ("lessons", "Lessons"),
    ("history", "History"),
    ("other", "Other"),
];

pub fn category_label(value: &str) -> String {
    CATEGORIES
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| value.to_owned())
}

choice!(
    StoryStatus {
        Draft = "draft": "Draft",
        Completed = "completed": "Completed",
        Reviewed = "reviewed": "Reviewed",
    }
);

impl StoryStatus {
    /// Only the owner marks a story reviewed (or takes that mark away).
    pub fn may_set(self, role: Role) -> bool {
        match self {
            StoryStatus::Reviewed => role == Role::Owner,
            _ => role >= Role::Contributor,
        }
    }
}

choice!(
    TranscriptionStatus {
        None = "none": "Not transcribed",
        Queued = "queued": "Waiting to be transcribed",
        Transcribing = "transcribing": "Transcribing…",
        Done = "done": "Transcribed",
        Failed = "failed": "Transcription failed",
    } default None
);

impl TranscriptionStatus {
    pub fn in_progress(self) -> bool {
        matches!(self, Self::Queued | Self::Transcribing)
    }
}

/// A transcription being made, as the editor follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptionState {
    pub status: TranscriptionStatus,
    pub transcription: Option<String>,
}

/// A story's title, text and category, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryText {
    pub title: String,
    pub content: String,
    pub category: Option<String>,
}

impl StoryText {
    /// `category` is one of [`CATEGORIES`], `"custom"` (then `custom_category` names it), or
    /// empty for none.
    pub fn parse(title: &str, content: &str, category: &str, custom_category: &str) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let title = title.trim();
        if title.is_empty() {
            errors.insert("title".into(), "Please give the story a title.".into());
        } else if title.chars().count() > MAX_STORY_TITLE_CHARS {
            errors.insert("title".into(), format!("Please keep the title under {MAX_STORY_TITLE_CHARS} characters."));
        }
        let content_chars = content.chars().count();
        if content_chars > MAX_STORY_CONTENT_CHARS {
            errors.insert(
                "content".into(),
                format!(
                    "This story is too long to save ({content_chars} characters; the limit is {MAX_STORY_CONTENT_CHARS}). \
                     Please split it into several stories."
                ),
            );
        }
        let category = match category.trim() {
            "" => None,
            "custom" => {
                let custom = custom_category.trim();
                if custom.is_empty() {
                    errors.insert(
                        "custom_category".into(),
                        "Please name the category, or choose one from the list.".into(),
                    );
                    None
                } else if custom.chars().count() > MAX_CATEGORY_CHARS {
                    errors.insert(
                        "custom_category".into(),
                        format!("Please keep the category under {MAX_CATEGORY_CHARS} characters."),
                    );
                    None
                } else {
                    Some(custom.to_owned())
                }
            }
            known if CATEGORIES.iter().any(|(v, _)| *v == known) => Some(known.to_owned()),
            _ => {
                errors.insert("category".into(), "Please choose a category from the list.".into());
                None
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(StoryText { title: title.to_owned(), content: content.replace("\r\n", "\n"), category })
    }
}

/// One row of a campaign's story list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryListItem {
    pub id: Uuid,
    pub title: String,
    pub category: Option<String>,
    pub status: StoryStatus,
    pub word_count: i32,
    pub has_audio: bool,
    pub author: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryList {
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub role: Role,
    pub editable: bool,
    pub stories: Vec<StoryListItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audio {
    pub url: String,
    pub mime: String,
    pub duration_seconds: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoView {
    pub id: Uuid,
    pub thumbnail_url: String,
    pub display_url: String,
    pub width: i32,
    pub height: i32,
    pub caption: Option<String>,
    pub original_filename: Option<String>,
}

impl PhotoView {
    pub fn new(
        campaign_id: Uuid,
        id: Uuid,
        width: Option<i32>,
        height: Option<i32>,
        caption: Option<String>,
        original_filename: Option<String>,
    ) -> Self {
        PhotoView {
            id,
            thumbnail_url: crate::urls::photo_thumbnail(campaign_id, id),
            display_url: crate::urls::photo_display(campaign_id, id),
            width: width.unwrap_or(0),
            height: height.unwrap_or(0),
            caption,
            original_filename,
        }
    }
}

choice!(
    /// What "use the transcription" does to the story text: it becomes the text, or is
    /// added after it.
    TranscriptionUse {
        Replace = "replace": "Use as the story text",
        Append = "append": "Add to the end of the story",
    }
);

/// A photo's caption, which is also its description for people who can't see it: trimmed,
/// at most 1,000 characters; blank means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption(Option<String>);

impl Caption {
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(text: &str) -> Result<Self, crate::error::AppError> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(crate::error::AppError::invalid("caption", "Please keep the caption under 1,000 characters."));
        }
        Ok(Self((!text.is_empty()).then(|| text.to_owned())))
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Everything the story page and its editor show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryDetail {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub title: String,
    pub content: String,
    /// The content as sanitized HTML (Markdown rendered on the server).
    pub content_html: String,
    pub category: Option<String>,
    pub status: StoryStatus,
    pub word_count: i32,
    pub version: i32,
    pub author: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub audio: Option<Audio>,
    pub transcription: Option<String>,
    pub transcription_status: TranscriptionStatus,
    pub transcription_enabled: bool,
    pub photos: Vec<PhotoView>,
    pub role: Role,
    /// The viewer may change this story (its author or an owner, campaign not archived).
    pub can_edit: bool,
}

/// What an autosave answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved {
        version: i32,
        word_count: i32,
        saved_at: DateTime<Utc>,
    },
    /// Someone else saved first; their text is returned so the person can choose.
    Conflict {
        version: i32,
        title: String,
        content: String,
        saved_at: DateTime<Utc>,
    },
}

/// A search hit: `snippet` is HTML whose only tags are `<mark>` around matched words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub title: String,
    pub category: Option<String>,
    pub status: StoryStatus,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Pass back as `after` for the next page.
    pub next: Option<String>,
}

/// Word count as the database counts it (runs of non-whitespace), for the live counter.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_needs_a_title() {
        let err = StoryText::parse("  ", "text", "", "").unwrap_err();
        assert!(err.field("title").is_some());
    }

    #[test]
    fn five_megabytes_of_text_is_refused_with_a_reason() {
        let huge = "word ".repeat(1_000_000);
        let err = StoryText::parse("Big", &huge, "", "").unwrap_err();
        assert!(err.field("content").unwrap().contains("too long"));
    }

    #[test]
    fn categories_are_known_or_named() {
        assert_eq!(StoryText::parse("T", "", "love", "").unwrap().category.as_deref(), Some("love"));
        assert_eq!(StoryText::parse("T", "", "custom", " Farm life ").unwrap().category.as_deref(), Some("Farm life"));
        assert!(StoryText::parse("T", "", "custom", "").unwrap_err().field("custom_category").is_some());
        assert!(StoryText::parse("T", "", "bogus", "").unwrap_err().field("category").is_some());
        assert_eq!(StoryText::parse("T", "", "", "").unwrap().category, None);
    }

    #[test]
    fn only_owners_mark_stories_reviewed() {
        assert!(StoryStatus::Reviewed.may_set(Role::Owner));
        assert!(!StoryStatus::Reviewed.may_set(Role::Contributor));
        assert!(StoryStatus::Completed.may_set(Role::Contributor));
        assert!(!StoryStatus::Draft.may_set(Role::Viewer));
    }

    #[test]
    fn words_are_runs_of_non_whitespace() {
        assert_eq!(count_words("a  b\n\tc "), 3);
        assert_eq!(count_words(""), 0);
    }
}
