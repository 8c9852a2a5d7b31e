//! The emails a sign-up sends. Nothing a visitor typed goes into them (only the address they
//! are sent to), so sign-up cannot be used to send someone a stranger's words.
use super::mail::{html_body, OutgoingMail};
use crate::server::db::accounts::{Recovery, CONFIRM_HOURS, RECOVERY_MINUTES};
use crate::urls;

/// The link that finishes a sign-up.
pub fn confirm(to: &str, token: &str, public_url: &str) -> OutgoingMail {
    let link = format!("{}{}", public_url.trim_end_matches('/'), urls::confirm_email(token));
    let lines = vec![
        "Hello,".to_owned(),
        "Someone — we hope you — asked to create a MyStoryFlow account with this email address. Open the link \
         below to finish signing up."
            .to_owned(),
        format!(
            "The link works once, for {CONFIRM_HOURS} hours. If it wasn't you, ignore this email: without the link \
             nothing is sent to anyone from an account with your address, and if you sign up yourself later, your \
             own link replaces the password they chose."
        ),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: "Finish signing up to MyStoryFlow".into(),
        text: format!("{}\n\n{}\n\n{}\n\nFinish signing up: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "Finish signing up", &link),
        link: Some(link),
    }
}

/// To an address that already has an account, instead of a second account.
pub fn existing(to: &str, name: &str, public_url: &str) -> OutgoingMail {
    let link = format!("{}/login", public_url.trim_end_matches('/'));
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let lines = vec![
        greeting,
        "Someone — perhaps you — tried to sign up to MyStoryFlow with this email address. You already have an \
         account, so nothing was changed: log in with your password."
            .to_owned(),
        "If it wasn't you, you can ignore this email; your account and stories are safe.".to_owned(),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: "You already have a MyStoryFlow account".into(),
        text: format!("{}\n\n{}\n\n{}\n\nLog in: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "Log in", &link),
        link: Some(link),
    }
}

/// A password reset or one-time sign-in link, asked for on the login page.
pub fn recovery(kind: Recovery, to: &str, name: &str, token: &str, public_url: &str) -> OutgoingMail {
    let base = public_url.trim_end_matches('/');
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let (subject, ask, button, link) = match kind {
        Recovery::ResetPassword => (
            "Choose a new MyStoryFlow password",
            "Someone — we hope you — asked to reset the password of your MyStoryFlow account. Open the link below to \
             choose a new one.",
            "Choose a new password",
            format!("{base}{}", urls::reset_password(token)),
        ),
        Recovery::SignIn => (
            "Your link to sign in to MyStoryFlow",
            "Someone — we hope you — asked for a link to sign in to MyStoryFlow without a password. Open the link \
             below to sign in.",
            "Sign in",
            format!("{base}{}", urls::sign_in_link(token)),
        ),
    };
    let lines = vec![
        greeting,
        ask.to_owned(),
        format!(
            "The link works once, for {RECOVERY_MINUTES} minutes. If it wasn't you, ignore this email: nothing changes without it."
        ),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: subject.into(),
        text: format!("{}\n\n{}\n\n{}\n\n{button}: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, button, &link),
        link: Some(link),
    }
}

/// To the new address of an email change: the link that makes it the account's.
pub fn confirm_new_email(to: &str, name: &str, token: &str, public_url: &str) -> OutgoingMail {
    let link = format!("{}{}", public_url.trim_end_matches('/'), urls::confirm_email_change(token));
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let lines = vec![
        greeting,
        "You asked to use this address for your MyStoryFlow account. Open the link below to confirm it.".to_owned(),
        format!("The link works once, for {CONFIRM_HOURS} hours. If it wasn't you, ignore this email: nothing changes without it."),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: "Confirm your new email for MyStoryFlow".into(),
        text: format!("{}\n\n{}\n\n{}\n\nConfirm this address: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "Confirm this address", &link),
        link: Some(link),
    }
}

/// To the old address of an email change, so a stolen session can't move an account quietly.
pub fn email_change_asked(to: &str, name: &str, new_email: &str, public_url: &str) -> OutgoingMail {
    let link = format!("{}/account#password", public_url.trim_end_matches('/'));
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let lines = vec![
        greeting,
        format!(
            "Someone signed in to your MyStoryFlow account asked to change its email to {new_email}. \
             It changes only when that address confirms it."
        ),
        "If it wasn't you, change your password now: that signs everyone else out.".to_owned(),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: "Your MyStoryFlow email is being changed".into(),
        text: format!("{}\n\n{}\n\n{}\n\nYour account: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "Open your account", &link),
        link: Some(link),
    }
}

/// Sent when someone asks to delete their account: when, and how to change their mind.
pub fn deletion_requested(
    to: &str,
    name: &str,
    after: chrono::DateTime<chrono::Utc>,
    public_url: &str,
) -> OutgoingMail {
    let link = format!("{}/login", public_url.trim_end_matches('/'));
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let lines = vec![
        greeting,
        format!(
            "Your MyStoryFlow account will be deleted on {}, as you asked. Until then nothing is removed.",
            after.format("%-d %B %Y")
        ),
        "If you change your mind, just log in before then: that keeps your account and everything in it.".to_owned(),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: "Your MyStoryFlow account will be deleted".into(),
        text: format!("{}\n\n{}\n\n{}\n\nLog in: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "Log in to keep my account", &link),
        link: Some(link),
    }
}

/// Sent when logging in cancelled a deletion.
pub fn deletion_cancelled(to: &str, name: &str, public_url: &str) -> OutgoingMail {
    let link = format!("{}/account", public_url.trim_end_matches('/'));
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let lines = vec![
        greeting,
        "You logged in to MyStoryFlow, so your account will not be deleted. Everything in it is as you left it."
            .to_owned(),
    ];
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject: "Your MyStoryFlow account will not be deleted".into(),
        text: format!("{}\n\n{}\n\nYour account: {link}\n", lines[0], lines[1]),
        html: html_body(&lines, "Go to your account", &link),
        link: Some(link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_carries_the_link_and_nothing_typed() {
        let mail = confirm("ann@example.com", "t0k-en", "https://stories.example/");
        assert_eq!(mail.link.as_deref(), Some("https://stories.example/signup/confirm/t0k-en"));
        assert!(mail.text.contains("https://stories.example/signup/confirm/t0k-en"));
        assert!(mail.html.contains("Finish signing up"));
    }

    #[test]
    fn an_existing_account_is_told_to_log_in() {
        let mail = existing("ann@example.com", "Ann", "https://stories.example");
        assert!(mail.text.starts_with("Hello Ann,"));
        assert_eq!(mail.link.as_deref(), Some("https://stories.example/login"));
    }

    #[test]
    fn recovery_links_go_to_their_own_pages() {
        let reset = recovery(Recovery::ResetPassword, "ann@example.com", "Ann", "tok", "https://stories.example");
        assert_eq!(reset.link.as_deref(), Some("https://stories.example/login/reset/tok"));
        assert!(reset.text.starts_with("Hello Ann,") && reset.text.contains("60 minutes"));
        let link = recovery(Recovery::SignIn, "ann@example.com", "", "tok", "https://stories.example");
        assert_eq!(link.link.as_deref(), Some("https://stories.example/login/link/tok"));
        assert!(link.html.contains(">Sign in<"));
    }
}
