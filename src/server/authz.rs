//! The one authorization check: what the signed-in user may do in one campaign.
use uuid::Uuid;

use super::db::{access, UserTx};
use crate::error::AppError;
use crate::model::{family::Permissions, CampaignStatus, Role};

/// Proof that the user holds at least some role in a campaign. Its fields are private and
/// [`CampaignAccess::require`] is its only constructor, so every query of campaign data,
/// which takes one, has been authorized.
#[derive(Debug, Clone)]
pub struct CampaignAccess {
    campaign_id: Uuid,
    user_id: Uuid,
    role: Role,
    status: CampaignStatus,
    permissions: Permissions,
}

impl CampaignAccess {
    /// Not a member (or only invited, or inactive) → NotFound, so a campaign's existence does
    /// not leak; a member below `min_role` → Forbidden.
    pub async fn require(tx: &mut UserTx, campaign_id: Uuid, min_role: Role) -> Result<Self, AppError> {
        let row = access::membership(tx, campaign_id).await?;
        let role = row.role.as_deref().and_then(Role::parse).ok_or(AppError::NotFound)?;
        let status = row.status.as_deref().and_then(CampaignStatus::parse).ok_or(AppError::NotFound)?;
        if role < min_role {
            return Err(AppError::Forbidden);
        }
        let permissions = Permissions::for_role(role, &row.permissions.unwrap_or_default());
        Ok(CampaignAccess { campaign_id, user_id: tx.user_id(), role, status, permissions })
    }

    pub fn campaign_id(&self) -> Uuid {
        self.campaign_id
    }

    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn permissions(&self) -> Permissions {
        self.permissions
    }

    /// Authors change their own stories; owners (and members allowed to) change every story.
    pub fn may_edit_story(&self, created_by: Option<Uuid>) -> bool {
        self.role == Role::Owner
            || (self.role >= Role::Contributor
                && (created_by == Some(self.user_id) || self.permissions.can_edit_others_stories))
    }

    /// Like [`Self::may_edit_story`], as an error, and only while the campaign is editable.
    pub fn ensure_may_edit_story(&self, created_by: Option<Uuid>) -> Result<(), AppError> {
        self.ensure_editable()?;
        if self.may_edit_story(created_by) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn may_design_books(&self) -> bool {
        self.permissions.can_design_books && self.is_editable()
    }

    /// Owners, and members the owner allowed to, design books (while the campaign is editable).
    pub fn ensure_may_design_books(&self) -> Result<(), AppError> {
        self.ensure_editable()?;
        if self.permissions.can_design_books {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The owner, and contributors the owner allowed to, choose the storyteller's questions
    /// (while the campaign is editable).
    pub fn may_manage_questions(&self) -> bool {
        self.permissions.can_manage_questions && self.is_editable()
    }

    pub fn ensure_may_manage_questions(&self) -> Result<(), AppError> {
        self.ensure_editable()?;
        if self.permissions.can_manage_questions {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The owner, and members the owner allowed to, invite people (while editable).
    pub fn may_invite(&self) -> bool {
        self.permissions.can_invite && self.is_editable()
    }

    pub fn ensure_may_invite(&self) -> Result<(), AppError> {
        self.ensure_editable()?;
        if self.permissions.can_invite {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// An invitation carries at most the inviter's own role (the owner invites anyone), so
    /// nobody gains more than they have by inviting a second address of their own.
    pub fn may_invite_as(&self, role: Role) -> bool {
        self.may_invite() && role != Role::Owner && role <= self.role
    }

    pub fn ensure_may_invite_as(&self, role: Role) -> Result<(), AppError> {
        self.ensure_may_invite()?;
        if self.may_invite_as(role) {
            Ok(())
        } else {
            Err(AppError::invalid("role", "You can invite people with your own role or a lower one."))
        }
    }

    /// Only the owner declares a book checked and ready to order (while editable).
    pub fn may_mark_book_ready(&self) -> bool {
        self.role == Role::Owner && self.is_editable()
    }

    pub fn ensure_may_mark_book_ready(&self) -> Result<(), AppError> {
        self.ensure_editable()?;
        if self.role == Role::Owner {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Authors delete their own comments; owners delete any (RLS says the same).
    pub fn may_delete_comment(&self, author: Option<Uuid>) -> bool {
        self.role == Role::Owner || (author.is_some() && author == Some(self.user_id))
    }

    pub fn is_editable(&self) -> bool {
        self.status != CampaignStatus::Archived
    }

    /// Archived campaigns are read-only until their owner restores them.
    pub fn ensure_editable(&self) -> Result<(), AppError> {
        if self.status == CampaignStatus::Archived {
            Err(AppError::Conflict(
                "This campaign is archived, so it can't be changed. Its owner can restore it.".into(),
            ))
        } else {
            Ok(())
        }
    }
}
