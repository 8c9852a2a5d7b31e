//! Family: members, invitations and their links, roles and permissions, ownership, and the
//! comments and hearts under stories.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::family::{Conversation, Family, InvitationView};
#[cfg(feature = "ssr")]
use crate::urls;

#[server(endpoint = "family")]
pub async fn campaign_family(campaign_id: Uuid) -> Result<Family, AppError> {
    use crate::model::Role;
    use crate::server::db::family;
    in_campaign!(read campaign_id, Role::Viewer, |state, tx, access| {
        let mut family = family::family(&mut tx, &access).await?;
        family.email_sends = state.email_sends;
        family.notice = crate::server::request::notice().await;
        family
    })
}

#[server(endpoint = "invite_member")]
pub async fn invite_member(
    campaign_id: Uuid,
    email: String,
    #[server(default)] name: String,
    #[server(default)] relationship: String,
    role: String,
) -> Result<(), AppError> {
    use crate::model::{family::InviteInput, Role};
    use crate::server::limits::INVITATIONS_PER_USER;
    use crate::server::{db::accounts, db::invitations as db_invitations, invitations};
    let typed = vec![
        ("email".to_owned(), email.clone()),
        ("name".to_owned(), name.clone()),
        ("relationship".to_owned(), relationship.clone()),
        ("role".to_owned(), role.clone()),
    ];
    let sent = in_campaign!(
        "invite_member",
        campaign_id,
        Role::Viewer,
        urls::family(campaign_id),
        typed,
        |state, tx, access| {
            access.ensure_may_invite()?;
            accounts::ensure_confirmed(&state.db, state.email_sends, tx.user_id()).await?;
            let input = InviteInput::parse(&email, &name, &relationship, &role)?;
            INVITATIONS_PER_USER.hit(&state.db, &tx.user_id().to_string()).await?;
            let invitation = db_invitations::invite(&mut tx, &access, &input).await?;
            let link = invitations::send(&mut tx, &invitation, &state.public_url).await?;
            (invitation.email, link)
        }
    )?;
    invitation_notice(sent).await
}

/// Tells the inviter what happened: the email is on its way, or (with no SMTP set up) that
/// no email was sent and here is the link to pass on.
#[cfg(feature = "ssr")]
async fn invitation_notice((email, link): (String, String)) -> Result<(), AppError> {
    use crate::model::{family::INVITATION_DAYS, Notice};
    use crate::server::request;
    let notice = if request::state()?.email_sends {
        Notice {
            message: format!("Invitation sent to {email}. Its link works for {INVITATION_DAYS} days."),
            link: None,
        }
    } else {
        Notice {
            message: format!(
                "This server isn't set up to send email, so no email went to {email}. Copy their invitation link \
                 below and send it to them yourself; it works for {INVITATION_DAYS} days."
            ),
            link: Some(link),
        }
    };
    request::leave_notice(notice).await;
    Ok(())
}

#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(campaign_id: Uuid, member_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::limits::INVITATIONS_PER_USER;
    use crate::server::{db::accounts, db::invitations as db_invitations, invitations};
    let sent = in_campaign!(
        "resend_invitation",
        campaign_id,
        Role::Viewer,
        urls::family(campaign_id),
        Vec::new(),
        |state, tx, access| {
            accounts::ensure_confirmed(&state.db, state.email_sends, tx.user_id()).await?;
            INVITATIONS_PER_USER.hit(&state.db, &tx.user_id().to_string()).await?;
            let invitation = db_invitations::resend(&mut tx, &access, member_id).await?;
            let link = invitations::send(&mut tx, &invitation, &state.public_url).await?;
            (invitation.email, link)
        }
    )?;
    invitation_notice(sent).await
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(campaign_id: Uuid, member_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::invitations as db_invitations;
    in_campaign!(
        "revoke_invitation",
        campaign_id,
        Role::Viewer,
        urls::family(campaign_id),
        Vec::new(),
        |_, tx, access| {
            db_invitations::revoke(&mut tx, &access, member_id).await?;
        }
    )
}

#[server(endpoint = "set_member_role")]
pub async fn set_member_role(campaign_id: Uuid, member_id: Uuid, role: String) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::family;
    in_campaign!("set_member_role", campaign_id, Role::Owner, urls::family(campaign_id), Vec::new(), |_, tx, access| {
        let role = Role::parse(&role).ok_or_else(|| AppError::invalid("role", "Please choose a listed role."))?;
        family::set_role(&mut tx, &access, member_id, role).await?;
    })
}

#[server(endpoint = "set_member_permissions")]
pub async fn set_member_permissions(
    campaign_id: Uuid,
    member_id: Uuid,
    #[server(default)] can_invite: bool,
    #[server(default)] can_edit_others_stories: bool,
    #[server(default)] can_design_books: bool,
    #[server(default)] can_manage_questions: bool,
) -> Result<(), AppError> {
    use crate::model::{family::Permissions, Role};
    use crate::server::db::family;
    in_campaign!(
        "set_member_permissions",
        campaign_id,
        Role::Owner,
        urls::family(campaign_id),
        Vec::new(),
        |_, tx, access| {
            let granted = Permissions { can_invite, can_edit_others_stories, can_design_books, can_manage_questions };
            family::set_permissions(&mut tx, &access, member_id, granted).await?;
        }
    )
}

#[server(endpoint = "set_member_active")]
pub async fn set_member_active(campaign_id: Uuid, member_id: Uuid, active: bool) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::family;
    in_campaign!(
        "set_member_active",
        campaign_id,
        Role::Owner,
        urls::family(campaign_id),
        Vec::new(),
        |_, tx, access| {
            family::set_active(&mut tx, &access, member_id, active).await?;
        }
    )
}

#[server(endpoint = "transfer_ownership")]
pub async fn transfer_ownership(campaign_id: Uuid, member_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::family;
    in_campaign!(
        "transfer_ownership",
        campaign_id,
        Role::Owner,
        urls::family(campaign_id),
        Vec::new(),
        |_, tx, access| {
            family::transfer(&mut tx, &access, member_id).await?;
        }
    )
}

#[server(endpoint = "leave_campaign")]
pub async fn leave_campaign(campaign_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::family;
    in_campaign!("leave_campaign", campaign_id, Role::Viewer, "/dashboard".to_owned(), Vec::new(), |_, tx, access| {
        family::leave(&mut tx, &access).await?;
        // Also with JavaScript: this campaign's pages are no longer theirs to see.
        leptos_axum::redirect("/dashboard");
    })
}

/// What an invitation link shows; anyone holding the link may look.
#[server(endpoint = "invitation")]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    use crate::server::{db::invitations as db_invitations, request};
    let result = async {
        let token = db_invitations::InvitationToken::parse(&token).ok_or(AppError::NotFound)?;
        db_invitations::invitation(&request::state()?.db, &token).await
    }
    .await;
    request::respond(result)
}

#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    use crate::server::{db::invitations as db_invitations, request};
    let back = urls::invitation(&token);
    let result = async {
        let user = request::require_user().await?;
        let token = db_invitations::InvitationToken::parse(&token).ok_or(AppError::NotFound)?;
        let campaign = db_invitations::accept(&request::state()?.db, &token, user.id).await?;
        tracing::info!(user_id = %user.id, %campaign, "joined a campaign");
        leptos_axum::redirect(&urls::campaign(campaign));
        Ok(())
    }
    .await;
    request::respond_to_form("accept_invitation", Vec::new(), &back, result).await
}

#[server(endpoint = "conversation")]
pub async fn story_conversation(campaign_id: Uuid, story_id: Uuid) -> Result<Conversation, AppError> {
    use crate::model::Role;
    use crate::server::db::comments;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        comments::conversation(&mut tx, &access, story_id).await?
    })
}

#[server(endpoint = "add_comment")]
pub async fn add_comment(campaign_id: Uuid, story_id: Uuid, body: String) -> Result<(), AppError> {
    use crate::model::{family::CommentBody, Role};
    use crate::server::db::comments;
    let typed = vec![("body".to_owned(), body.clone())];
    in_campaign!(
        "add_comment",
        campaign_id,
        Role::Viewer,
        urls::story_comments(campaign_id, story_id),
        typed,
        |_, tx, access| {
            let body = CommentBody::parse(&body)?;
            comments::add(&mut tx, &access, story_id, &body).await?;
        }
    )
}

#[server(endpoint = "edit_comment")]
pub async fn edit_comment(campaign_id: Uuid, story_id: Uuid, comment_id: Uuid, body: String) -> Result<(), AppError> {
    use crate::model::{family::CommentBody, Role};
    use crate::server::db::comments;
    in_campaign!(
        "edit_comment",
        campaign_id,
        Role::Viewer,
        urls::story_comments(campaign_id, story_id),
        Vec::new(),
        |_, tx, access| {
            let body = CommentBody::parse(&body)?;
            comments::edit(&mut tx, &access, comment_id, &body).await?;
        }
    )
}

#[server(endpoint = "delete_comment")]
pub async fn delete_comment(campaign_id: Uuid, story_id: Uuid, comment_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::comments;
    in_campaign!(
        "delete_comment",
        campaign_id,
        Role::Viewer,
        urls::story_comments(campaign_id, story_id),
        Vec::new(),
        |_, tx, access| {
            comments::delete(&mut tx, &access, comment_id).await?;
        }
    )
}

#[server(endpoint = "set_heart")]
pub async fn set_heart(campaign_id: Uuid, story_id: Uuid, on: bool) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::comments;
    in_campaign!(
        "set_heart",
        campaign_id,
        Role::Viewer,
        urls::story_comments(campaign_id, story_id),
        Vec::new(),
        |_, tx, access| {
            comments::set_heart(&mut tx, &access, story_id, on).await?;
        }
    )
}
