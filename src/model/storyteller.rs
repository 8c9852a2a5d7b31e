//! The storyteller's own page: reached from a link, without an account.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::question::QuestionStatus;
use super::story::{MAX_STORY_CONTENT_CHARS, MAX_STORY_TITLE_CHARS};
use crate::error::AppError;

/// What the link opens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StorytellerPage {
    Open(StorytellerView),
    /// The owner replaced the link; the page says whom to ask for the new one.
    Replaced {
        ask: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StorytellerView {
    pub campaign_title: String,
    pub storyteller_name: Option<String>,
    /// The question to answer now: the one asked for, else the newest unanswered one.
    pub current: Option<AskedQuestion>,
    /// Every other question sent to them, newest first.
    pub earlier: Vec<AskedQuestion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AskedQuestion {
    pub id: Uuid,
    pub question: String,
    pub status: QuestionStatus,
    /// The photo of a photo question, as the storyteller's page serves it.
    pub photo_url: Option<String>,
    pub answer: Option<GivenAnswer>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GivenAnswer {
    pub text: String,
    pub recorded: bool,
}

/// A written answer: not blank, and no longer than a story may be.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerText(String);

impl AnswerText {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::Refused("Please write your answer first, then press Send.".into()));
        }
        if text.chars().count() > MAX_STORY_CONTENT_CHARS {
            return Err(AppError::TooLarge(format!(
                "That answer is longer than {MAX_STORY_CONTENT_CHARS} characters. Please send it in parts."
            )));
        }
        Ok(AnswerText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The story's title: the question itself, cut at a word when it is longer than a title may be.
pub fn title_from_question(question: &str) -> String {
    let question = question.trim();
    if question.chars().count() <= MAX_STORY_TITLE_CHARS {
        return question.to_owned();
    }
    let cut: String = question.chars().take(MAX_STORY_TITLE_CHARS - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > MAX_STORY_TITLE_CHARS / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_question_becomes_a_title_cut_at_a_word() {
        assert_eq!(title_from_question(" What did you sing? "), "What did you sing?");
        let long = "word ".repeat(100);
        let title = title_from_question(&long);
        assert!(title.chars().count() <= MAX_STORY_TITLE_CHARS, "{title}");
        assert!(title.ends_with("word…"), "{title}");
    }

    #[test]
    fn a_blank_answer_is_refused_with_a_reason() {
        assert!(matches!(AnswerText::parse("  \n"), Err(AppError::Refused(_))));
        assert_eq!(AnswerText::parse(" We sang hymns. ").unwrap().as_str(), "We sang hymns.");
        assert!(matches!(AnswerText::parse(&"x".repeat(MAX_STORY_CONTENT_CHARS + 1)), Err(AppError::TooLarge(_))));
    }
}
