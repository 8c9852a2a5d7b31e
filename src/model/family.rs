//! Family: members and invitations of a campaign, their permissions, and story comments.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Email, Role};
use crate::error::{AppError, FieldErrors};

/// Fine-grained permissions. Owners have all; others have none unless the owner grants one
/// (stored in family_members.permissions as `{"can_invite": true}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Permissions {
    pub can_invite: bool,
    pub can_edit_others_stories: bool,
    pub can_design_books: bool,
    #[serde(default)]
    pub can_manage_questions: bool,
}

impl Permissions {
    pub const FLAGS: [(&'static str, &'static str); 4] = [
        ("can_invite", "Invite family members"),
        ("can_edit_others_stories", "Edit other people's stories"),
        ("can_design_books", "Design books"),
        ("can_manage_questions", "Choose the storyteller's questions"),
    ];

    pub fn for_role(role: Role, overrides: &serde_json::Value) -> Self {
        if role == Role::Owner {
            return Permissions {
                can_invite: true,
                can_edit_others_stories: true,
                can_design_books: true,
                can_manage_questions: true,
            };
        }
        let flag = |name: &str| overrides.get(name).and_then(|v| v.as_bool()).unwrap_or(false);
        Permissions {
            can_invite: flag("can_invite"),
            // A viewer writes nothing, whatever the flags say.
            can_edit_others_stories: role >= Role::Contributor && flag("can_edit_others_stories"),
            can_design_books: role >= Role::Contributor && flag("can_design_books"),
            can_manage_questions: role >= Role::Contributor && flag("can_manage_questions"),
        }
    }

    pub fn get(&self, name: &str) -> bool {
        match name {
            "can_invite" => self.can_invite,
            "can_edit_others_stories" => self.can_edit_others_stories,
            "can_design_books" => self.can_design_books,
            "can_manage_questions" => self.can_manage_questions,
            _ => false,
        }
    }
}

choice!(
    MemberStatus {
        Invited = "invited": "Invited",
        Active = "active": "Active",
        Inactive = "inactive": "Inactive",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: Uuid,
    pub name: Option<String>,
    pub email: String,
    pub relationship: Option<String>,
    pub role: Role,
    pub status: MemberStatus,
    pub permissions: Permissions,
    pub invited_at: Option<DateTime<Utc>>,
    pub joined_at: Option<DateTime<Utc>>,
    pub is_me: bool,
}

/// The family page: members and pending invitations, and what the viewer may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub my_role: Role,
    pub may_invite: bool,
    pub editable: bool,
    pub members: Vec<MemberView>,
    /// This server sends email (SMTP is set up); without it, invitations are links the
    /// inviter passes on.
    pub email_sends: bool,
    /// The confirmation of the family form just sent, shown once.
    pub notice: Option<crate::model::Notice>,
}

/// What an invitation link shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InvitationState {
    Open,
    Expired,
    Revoked,
    Used,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub state: InvitationState,
    pub campaign_id: Uuid,
    pub campaign_title: String,
    pub storyteller_name: Option<String>,
    pub invited_by: Option<String>,
    pub invited_by_email: Option<String>,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

pub const INVITATION_DAYS: i64 = 14;

/// An invitation as the form sends it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteInput {
    pub email: Email,
    pub name: Option<String>,
    pub relationship: Option<String>,
    pub role: Role,
}

impl InviteInput {
    pub fn parse(email: &str, name: &str, relationship: &str, role: &str) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let email = match Email::parse(email) {
            Ok(e) => Some(e),
            Err(message) => {
                errors.insert("email".into(), message);
                None
            }
        };
        let role = match Role::parse(role) {
            Some(r @ (Role::Contributor | Role::Viewer)) => Some(r),
            Some(Role::Owner) => {
                errors.insert("role".into(), "Owners can't be invited; invite them, then transfer ownership.".into());
                None
            }
            None => {
                errors.insert("role".into(), "Please choose contributor or viewer.".into());
                None
            }
        };
        let short = |value: &str, field: &str, errors: &mut FieldErrors| {
            let v = value.trim();
            if v.chars().count() > 100 {
                errors.insert(field.into(), "Please keep this under 100 characters.".into());
            }
            (!v.is_empty()).then(|| v.to_owned())
        };
        let name = short(name, "name", &mut errors);
        let relationship = short(relationship, "relationship", &mut errors);
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(InviteInput { email, name, relationship, role }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited: bool,
    pub mine: bool,
    pub may_delete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub comments: Vec<CommentView>,
    pub hearts: i64,
    pub hearted_by_me: bool,
    pub may_comment: bool,
}

pub const MAX_COMMENT_CHARS: usize = 5000;

/// A comment as it is kept: trimmed, not empty, at most MAX_COMMENT_CHARS characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    pub fn parse(body: &str) -> Result<Self, AppError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::invalid("body", "Please write something first."));
        }
        if body.chars().count() > MAX_COMMENT_CHARS {
            return Err(AppError::invalid(
                "body",
                format!("Please keep comments under {MAX_COMMENT_CHARS} characters."),
            ));
        }
        Ok(Self(body.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_cannot_be_invited_and_emails_are_checked() {
        let err = InviteInput::parse("not-an-email", "", "", "owner").unwrap_err();
        assert!(err.field("email").is_some());
        assert!(err.field("role").is_some());
        let ok = InviteInput::parse("Ann@Example.com", " Ann ", "", "viewer").unwrap();
        assert_eq!((ok.name.as_deref(), ok.role), (Some("Ann"), Role::Viewer));
    }

    #[test]
    fn permissions_default_by_role_and_viewers_never_write() {
        let none = serde_json::json!({});
        assert!(Permissions::for_role(Role::Owner, &none).can_design_books);
        assert_eq!(Permissions::for_role(Role::Contributor, &none), Permissions::default());
        let granted = serde_json::json!({"can_edit_others_stories": true, "can_invite": true});
        assert!(Permissions::for_role(Role::Contributor, &granted).can_edit_others_stories);
        let viewer = Permissions::for_role(Role::Viewer, &granted);
        assert!(viewer.can_invite && !viewer.can_edit_others_stories);
    }

    #[test]
    fn comments_need_words() {
        assert!(CommentBody::parse("   ").is_err());
        assert_eq!(CommentBody::parse(" Lovely! ").unwrap().as_str(), "Lovely!");
    }
}
