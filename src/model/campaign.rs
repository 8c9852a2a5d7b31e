//! Campaigns: one storyteller's story-collection project, and who may do what in it.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Email;
use crate::error::{AppError, FieldErrors};

choice!(
    /// A member's role. The order of these variants matters: each may do all the one before it may.
    #[derive(PartialOrd, Ord)]
    Role {
        Viewer = "viewer": "Viewer",
        Contributor = "contributor": "Contributor",
        Owner = "owner": "Owner",
    }
);

choice!(
    CampaignStatus {
        Active = "active": "Active",
        Paused = "paused": "Paused",
        Completed = "completed": "Completed",
        Archived = "archived": "Archived",
    }
);

choice!(
    Relationship {
        Parent = "parent": "Parent",
        Grandparent = "grandparent": "Grandparent",
        Spouse = "spouse": "Spouse or partner",
        Other = "other": "Someone else",
    }
);

/// One card on the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignCard {
    pub id: Uuid,
    pub title: String,
    pub storyteller_name: Option<String>,
    pub role: Role,
    pub status: CampaignStatus,
    pub goal_stories: i32,
    pub story_count: i64,
    pub total_words: i64,
    pub latest_story_date: Option<DateTime<Utc>>,
}

impl CampaignCard {
    pub fn completion(&self) -> u8 {
        completion(self.story_count, self.goal_stories)
    }
}

/// Stories collected as a share of the goal, 0–100 (a goal of 0 counts as none reached).
pub fn completion(stories: i64, goal: i32) -> u8 {
    if goal <= 0 {
        return 0;
    }
    (stories.max(0) * 100 / i64::from(goal)).min(100) as u8
}

/// Everything the campaign page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignOverview {
    pub card: CampaignCard,
    pub description: Option<String>,
    pub storyteller_email: Option<String>,
    pub relationship_type: Option<Relationship>,
    pub started_at: Option<DateTime<Utc>>,
    pub recent_stories: Vec<StorySummary>,
    pub members: Vec<Member>,
    pub has_orders: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorySummary {
    pub id: Uuid,
    pub title: String,
    pub word_count: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub role: Role,
}

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_GOAL: i32 = 1000;

/// A campaign's editable fields, each checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignInput {
    pub title: String,
    pub description: Option<String>,
    pub storyteller_name: Option<String>,
    pub storyteller_email: Option<String>,
    pub relationship_type: Option<Relationship>,
    pub goal_stories: i32,
}

fn optional(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

impl CampaignInput {
    pub fn parse(
        title: &str,
        description: &str,
        storyteller_name: &str,
        storyteller_email: &str,
        relationship_type: &str,
        goal_stories: &str,
    ) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let title = title.trim();
        if title.is_empty() {
            errors.insert("title".into(), "Please give the campaign a title.".into());
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.insert("title".into(), format!("Please keep the title under {MAX_TITLE_CHARS} characters."));
        }
        let description = optional(description);
        if description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
            errors.insert(
                "description".into(),
                format!("Please keep the description under {MAX_DESCRIPTION_CHARS} characters."),
            );
        }
        let storyteller_name = optional(storyteller_name);
        if storyteller_name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME_CHARS) {
            errors
                .insert("storyteller_name".into(), format!("Please keep the name under {MAX_NAME_CHARS} characters."));
        }
        let storyteller_email = match optional(storyteller_email) {
            None => None,
            Some(raw) => match Email::parse(&raw) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(message) => {
                    errors.insert("storyteller_email".into(), message);
                    None
                }
            },
        };
        let relationship_type = match relationship_type.trim() {
            "" => None,
            raw => match Relationship::parse(raw) {
                Some(r) => Some(r),
                None => {
                    errors.insert("relationship_type".into(), "Please choose one of the listed relationships.".into());
                    None
                }
            },
        };
        let goal = goal_stories.trim();
        let goal_stories = match goal.parse::<i32>() {
            Ok(n) if (1..=MAX_GOAL).contains(&n) => n,
            _ => {
                let message = if goal.is_empty() {
                    "Please enter how many stories you hope to collect.".to_owned()
                } else {
                    format!("Please enter a whole number from 1 to {MAX_GOAL}.")
                };
                errors.insert("goal_stories".into(), message);
                0
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(CampaignInput {
            title: title.to_owned(),
            description,
            storyteller_name,
            storyteller_email,
            relationship_type,
            goal_stories,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(title: &str, email: &str, relationship: &str, goal: &str) -> Result<CampaignInput, AppError> {
        CampaignInput::parse(title, "", "Dad", email, relationship, goal)
    }

    #[test]
    fn roles_are_ordered_by_what_they_may_do() {
        assert!(Role::Owner > Role::Contributor && Role::Contributor > Role::Viewer);
    }

    #[test]
    fn a_good_campaign_parses_and_is_trimmed() {
        let input = parse("  Dad's Life Stories ", " DAD@example.com ", "parent", "12").unwrap();
        assert_eq!(input.title, "Dad's Life Stories");
        assert_eq!(input.storyteller_email.as_deref(), Some("dad@example.com"));
        assert_eq!(input.relationship_type, Some(Relationship::Parent));
        assert_eq!(input.goal_stories, 12);
    }

    #[test]
    fn bad_fields_are_each_named() {
        let err = parse("", "not-an-email", "cousin", "0").unwrap_err();
        for field in ["title", "storyteller_email", "relationship_type", "goal_stories"] {
            assert!(err.field(field).is_some(), "{field} should be reported: {err:?}");
        }
        assert!(parse(&"x".repeat(201), "", "", "10").unwrap_err().field("title").is_some());
        assert!(parse("t", "", "", "1001").unwrap_err().field("goal_stories").is_some());
        assert!(parse("t", "", "", "ten").unwrap_err().field("goal_stories").is_some());
    }

    #[test]
    fn completion_is_capped_and_guards_zero() {
        assert_eq!(completion(0, 10), 0);
        assert_eq!(completion(3, 10), 30);
        assert_eq!(completion(25, 10), 100);
        assert_eq!(completion(5, 0), 0);
    }
}
