//! The invitation email: composed from a new invitation and queued in the same transaction
//! as the invitation itself, so there is never one without the other.
use super::db::invitations::NewInvitation;
use super::db::UserTx;
use super::mail::{html_body, OutgoingMail};
use crate::error::AppError;
use crate::model::family::INVITATION_DAYS;
use crate::urls;

/// Queues the email for `invitation`; returns the link in it.
pub async fn send(tx: &mut UserTx, invitation: &NewInvitation, public_url: &str) -> Result<String, AppError> {
    let link = format!("{}{}", public_url.trim_end_matches('/'), urls::invitation(&invitation.token));
    email(invitation, &link).queue(tx).await?;
    Ok(link)
}

fn email(invitation: &NewInvitation, link: &str) -> OutgoingMail {
    let inviter = invitation.inviter.clone().unwrap_or_else(|| "A family member".into());
    let role = &invitation.role;
    let title = &invitation.campaign_title;
    let about = match &invitation.storyteller {
        Some(name) => format!("“{title}”, the life stories of {name}"),
        None => format!("“{title}”"),
    };
    let what = if role == "viewer" { "read" } else { "read and add" };
    let greeting = match &invitation.name {
        Some(name) => format!("Hello {name},"),
        None => "Hello,".to_owned(),
    };
    let lines = vec![
        greeting,
        format!("{inviter} invited you to join {about} on MyStoryFlow, as a {role}."),
        format!("You'll be able to {what} the family's stories. The link works for {INVITATION_DAYS} days."),
    ];
    let text = format!("{}\n\n{}\n\n{}\n\nOpen the invitation: {link}\n", lines[0], lines[1], lines[2]);
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: invitation.email.clone(),
        subject: format!("{inviter} invited you to {title}"),
        html: html_body(&lines, "Open the invitation", link),
        text,
        link: Some(link.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_names_the_inviter_the_storyteller_and_what_the_role_allows() {
        let invitation = NewInvitation {
            member_id: uuid::Uuid::nil(),
            token: "t0k".into(),
            email: "cora@example.com".into(),
            campaign_title: "Dad's Life Stories".into(),
            storyteller: Some("Robert".into()),
            inviter: Some("Olive".into()),
            role: "viewer".into(),
            name: Some("Cora".into()),
        };
        let mail = email(&invitation, "https://stories.example/invitations/t0k");
        assert_eq!(mail.to, "cora@example.com");
        assert_eq!(mail.subject, "Olive invited you to Dad's Life Stories");
        assert!(mail.text.starts_with("Hello Cora,"));
        assert!(mail.text.contains("“Dad's Life Stories”, the life stories of Robert"));
        assert!(mail.text.contains("You'll be able to read the family's stories."));
        assert!(mail.text.contains("https://stories.example/invitations/t0k"));
    }
}
