//! Questions for the storyteller: the library MyStoryFlow ships, and each campaign's queue.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The library's topics, in the order the page offers them.
pub const TOPICS: [(&str, &str); 12] = [
    ("childhood", "Childhood"),
    ("parents", "Parents and grandparents"),
    ("school", "School"),
    ("work", "First jobs and career"),
    ("love", "Love and marriage"),
    ("children", "Raising children"),
    ("places", "Places lived"),
    ("travel", "Travel"),
    ("history", "History lived through"),
    ("traditions", "Traditions, food and recipes"),
    ("lessons", "Beliefs and lessons"),
    ("advice", "Advice for the grandchildren"),
];

pub fn topic_label(topic: &str) -> &'static str {
    TOPICS.iter().find(|(value, _)| *value == topic).map_or("Other", |(_, label)| label)
}

pub const MAX_QUESTION_CHARS: usize = 500;
/// What a photo question asks; the photo shows with it.
pub const PHOTO_QUESTION: &str = "Tell us about this picture.";
/// Question cards: at most this many new questions from the queue at once, and this many
/// cards in one PDF (the open questions, oldest first).
pub const MAX_NEW_CARDS: u32 = 12;
pub const MAX_CARDS: i64 = 24;
/// The cards form's name, for its error to show beside it.
pub const CARDS_FORM: &str = "question_cards";
/// A library search longer than this is cut (nobody types more to find a question).
pub const MAX_SEARCH_CHARS: usize = 100;

choice!(
    QuestionStatus {
        Queued = "queued": "Waiting",
        Sent = "sent": "Sent",
        Answered = "answered": "Answered",
        Skipped = "skipped": "Skipped",
    }
);

/// A question a member wrote, checked: trimmed, 3 to 500 characters.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionText(String);

impl QuestionText {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars < 3 {
            return Err(AppError::invalid("question", "Please write the question you'd like to ask."));
        }
        if chars > MAX_QUESTION_CHARS {
            return Err(AppError::invalid(
                "question",
                format!("Please keep the question under {MAX_QUESTION_CHARS} characters; this one has {chars}."),
            ));
        }
        Ok(QuestionText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One question of the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: Uuid,
    pub topic: String,
    pub question: String,
}

/// One question of a campaign's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignQuestion {
    pub id: Uuid,
    pub question: String,
    pub category: String,
    pub status: QuestionStatus,
    pub from_library: bool,
    /// The photo a photo question is about.
    pub photo_id: Option<Uuid>,
    pub sent_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub skipped_at: Option<DateTime<Utc>>,
    /// The answer, once there is one.
    #[serde(default)]
    pub story_id: Option<Uuid>,
    /// What couldn't be used of an emailed answer (a HEIC photo…), in words for the family
    /// (seen by those who manage the questions).
    #[serde(default)]
    pub email_notes: Vec<String>,
}

/// The questions page: the queue, what was asked, and the library as filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionsPage {
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub storyteller_name: Option<String>,
    pub may_manage: bool,
    /// The storyteller's link, for members who manage questions (made the first time).
    #[serde(default)]
    pub storyteller_link: Option<String>,
    /// The weekly question's schedule, once one was saved.
    #[serde(default)]
    pub schedule: Option<QuestionSchedule>,
    /// The viewer's own time zone (account preferences): where a new schedule starts.
    #[serde(default)]
    pub your_time_zone: Option<String>,
    /// Waiting to be asked, in order.
    pub queue: Vec<CampaignQuestion>,
    /// Sent, answered or skipped, newest first.
    pub asked: Vec<CampaignQuestion>,
    /// campaigns.total_prompts and used_prompts, as the database keeps them.
    pub total_prompts: i32,
    pub used_prompts: i32,
    /// Library questions not yet in the queue, for the chosen topic and words.
    pub library: Vec<Prompt>,
    /// The campaign's photos not yet asked about, newest first.
    pub photos: Vec<PhotoChoice>,
    /// Emailed replies from people who may not answer, waiting for a decision (for members
    /// who manage the questions), oldest first.
    #[serde(default)]
    pub held: Vec<HeldReply>,
}

/// An emailed reply held for the family: from someone who is neither the storyteller nor a
/// member who writes stories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldReply {
    pub id: Uuid,
    /// The question it answers.
    pub question: Option<String>,
    pub sender: String,
    pub sender_name: Option<String>,
    pub subject: String,
    /// The new words, quoted history and signatures removed.
    pub body: String,
    /// Attachments that could not be used, in words.
    pub notes: Vec<String>,
    /// "28 November 2026", in UTC.
    pub received: String,
}

/// A photo a member may ask the storyteller about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoChoice {
    pub id: Uuid,
    pub caption: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_question_is_trimmed_and_bounded() {
        assert_eq!(QuestionText::parse("  What was the war like?  ").unwrap().as_str(), "What was the war like?");
        assert!(QuestionText::parse(" ? ").unwrap_err().field("question").is_some());
        let long = "a".repeat(MAX_QUESTION_CHARS + 1);
        assert!(QuestionText::parse(&long).unwrap_err().field("question").unwrap().contains("501"));
    }

    #[test]
    fn every_topic_has_a_label() {
        assert_eq!(topic_label("advice"), "Advice for the grandchildren");
        assert_eq!(topic_label("nonsense"), "Other");
    }
}

/// The weekly question: a day and time in the storyteller's time zone, or paused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSchedule {
    /// ISO weekday: 1 is Monday, 7 Sunday.
    pub weekday: u8,
    /// "HH:MM", local to `time_zone`.
    pub time: String,
    /// An IANA name, e.g. "Europe/London".
    pub time_zone: String,
    pub paused: bool,
    /// Days after an unanswered question to send one gentle reminder; None: no reminder.
    pub reminder_days: Option<u8>,
    /// When the next question goes, in the storyteller's time, as the page shows it.
    pub next: Option<String>,
}

pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Time zones offered first on the schedule form (any IANA name is accepted).
pub const COMMON_TIME_ZONES: [&str; 12] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
];

pub const DEFAULT_REMINDER_DAYS: u8 = 4;
