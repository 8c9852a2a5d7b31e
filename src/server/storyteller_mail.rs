//! Email to the storyteller: the question itself in large type, the photo of a photo
//! question, and one big button to their page.
use super::db::questions::SentQuestion;
use super::mail::{html_escape, OutgoingMail};
use crate::urls;

const BUTTON: &str = "display: inline-block; padding: 16px 32px; background: #7a3e1d; color: #fff; \
                      border-radius: 999px; text-decoration: none; font-size: 22px;";

/// The question, to the storyteller's address; None when the campaign has none.
/// `reply_key` ([`Signer::reply_key`](super::signing::Signer::reply_key) of the question,
/// when replies reach the app) lets a reply to the email answer it.
pub fn question(public_url: &str, token: &str, reply_key: Option<String>, sent: &SentQuestion) -> Option<OutgoingMail> {
    let lead = format!("{} would love to hear your answer to this week's question:", sent.family);
    let subject = format!("A question from {}: {}", sent.family, sent.question);
    ask(public_url, token, reply_key, sent, subject, lead)
}

/// One gentle reminder, some days after a question that is still unanswered.
pub fn reminder(public_url: &str, token: &str, reply_key: Option<String>, sent: &SentQuestion) -> Option<OutgoingMail> {
    let lead = format!(
        "No hurry at all: {} would still love to hear your answer to this question, whenever you are ready.",
        sent.family
    );
    let subject = format!("Whenever you are ready: {}", sent.question);
    ask(public_url, token, reply_key, sent, subject, lead)
}

fn ask(
    public_url: &str,
    token: &str,
    reply_key: Option<String>,
    sent: &SentQuestion,
    subject: String,
    lead: String,
) -> Option<OutgoingMail> {
    let to = sent.storyteller_email.clone()?;
    let base = public_url.trim_end_matches('/');
    let link = format!("{base}{}", urls::storyteller_question(token, sent.id));
    let greeting = match &sent.storyteller_name {
        Some(name) => format!("Dear {name},"),
        None => "Hello,".to_owned(),
    };
    let closing = if reply_key.is_some() {
        "Press the button to answer by talking or by writing, or simply reply to this email: your words, photos \
         and voice memos reach the family. There is no password and nothing to install."
    } else {
        "Press the button to answer by talking or by writing. There is no password and nothing to install."
    };
    let photo = sent.photo_id.map(|photo| format!("{base}{}", urls::storyteller_photo(token, photo)));
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family: Georgia, serif; font-size: 20px; line-height: 1.5; color: #1f1a17;\">",
    );
    html.push_str(&format!("<p>{}</p><p>{}</p>", html_escape(&greeting), html_escape(&lead)));
    html.push_str(&format!(
        "<p style=\"font-size: 28px; line-height: 1.35; font-weight: bold;\">{}</p>",
        html_escape(&sent.question)
    ));
    if let Some(photo) = &photo {
        html.push_str(&format!(
            "<p><img src=\"{}\" alt=\"The photo this question is about\" style=\"max-width: 100%; height: auto;\"></p>",
            html_escape(photo)
        ));
    }
    html.push_str(&format!(
        "<p>{closing}</p><p><a href=\"{}\" style=\"{BUTTON}\">Answer this question</a></p>\
         <p style=\"font-size: 16px; color: #4a403a;\">Or copy this address: {}</p></body></html>",
        html_escape(&link),
        html_escape(&link)
    ));
    let photo_line = photo.map(|p| format!("The photo: {p}\n\n")).unwrap_or_default();
    Some(OutgoingMail {
        from_name: Some(sent.family.clone()),
        reply_key,
        auto_reply: false,
        to,
        subject,
        text: format!(
            "{greeting}\n\n{lead}\n\n{}\n\n{photo_line}{closing}\n\nAnswer this question: {link}\n",
            sent.question
        ),
        html,
        link: Some(link),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_email_carries_the_question_the_photo_and_one_button() {
        let sent = SentQuestion {
            id: uuid::Uuid::nil(),
            question: "What did you <sing>?".into(),
            photo_id: Some(uuid::Uuid::nil()),
            storyteller_email: Some("dad@example.com".into()),
            storyteller_name: Some("Dad".into()),
            family: "Ann".into(),
        };
        let mail = question("https://stories.example", "tok", Some("key".into()), &sent).unwrap();
        assert_eq!(mail.reply_key.as_deref(), Some("key"));
        assert!(mail.text.contains("simply reply to this email"));
        let no_replies = question("https://stories.example", "tok", None, &sent).unwrap();
        assert_eq!(no_replies.reply_key, None);
        assert!(!no_replies.text.contains("reply"), "a reply would reach nobody: {}", no_replies.text);
        assert_eq!(mail.to, "dad@example.com");
        assert!(mail.html.contains("What did you &lt;sing&gt;?"), "escaped: {}", mail.html);
        assert!(mail.html.contains("https://stories.example/s/tok/photos/"));
        assert_eq!(mail.html.matches("Answer this question</a>").count(), 1);
        assert!(mail.text.contains("https://stories.example/s/tok?q="));
        assert!(question("https://x", "tok", None, &SentQuestion { storyteller_email: None, ..sent }).is_none());
    }
}
