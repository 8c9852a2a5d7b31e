//! New-story notifications: an email to the family when a story is marked completed (or a
//! weekly digest, per person), each with an unsubscribe link that works without logging in.
use std::time::Duration;

use anyhow::Result;
use uuid::Uuid;

use super::authz::CampaignAccess;
use super::db::{jobs, notifications, Db, UserTx};
use super::mail::{html_body, html_escape, OutgoingMail};
pub use super::signing::{Signer, Unsubscriber};
use crate::error::AppError;
use crate::model::StoryEmails;
use crate::urls;

pub const DIGEST_JOB: &str = "digest";
/// Queued by the storyteller's answer (migration 22's enqueue_answer_notice).
pub const ANSWER_NOTICE_JOB: &str = "answer_notice";

/// The first lines of a story, as plain text.
fn excerpt(markdown: &str) -> String {
    let plain: String = markdown
        .lines()
        .map(|l| l.trim_start_matches(['#', '>', '-', ' ']).replace(['*', '_'], ""))
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut cut: String = plain.chars().take(280).collect();
    if plain.chars().count() > 280 {
        cut.push('…');
    }
    cut
}

fn with_unsubscribe(mail_html: String, link: &str) -> String {
    mail_html.replace(
        "</body>",
        &format!(
            "<p style=\"font-size: 14px; color: #4a403a;\">Don't want these emails? <a href=\"{}\">Unsubscribe</a>.</p></body>",
            html_escape(link)
        ),
    )
}

/// Queues "a new story is finished" mail for every active member who wants every story,
/// except the person who finished it. Runs in the same transaction as the status change.
pub async fn story_completed(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    signer: &Signer,
    public_url: &str,
) -> Result<usize, AppError> {
    let story = notifications::finished_story(tx, access, story_id).await?;
    let readers = notifications::readers_of_every_story(tx, access).await?;
    let link = format!("{public_url}{}", urls::story(access.campaign_id(), story_id));
    let author = story.author.unwrap_or_else(|| "Someone in the family".into());
    let first_lines = excerpt(&story.content);
    for reader in &readers {
        let unsubscribe = signer.unsubscribe_link(public_url, reader.id);
        let lead = format!("{author} finished a story in “{}”: {}", story.campaign, story.title);
        let mut paragraphs = vec![lead.clone()];
        if !first_lines.is_empty() {
            paragraphs.push(first_lines.clone());
        }
        let mail = OutgoingMail {
            from_name: None,
            reply_key: None,
            auto_reply: false,
            to: reader.email.clone(),
            subject: format!("New story: {}", story.title),
            text: format!(
                "{lead}\n\n{first_lines}\n\nRead it: {link}\n\nDon't want these emails? Unsubscribe: {unsubscribe}\n"
            ),
            html: with_unsubscribe(html_body(&paragraphs, "Read the story", &link), &unsubscribe),
            link: Some(link.clone()),
        };
        mail.queue(tx).await?;
    }
    Ok(readers.len())
}

/// Queues "a new story" for each member who wants every story, when the storyteller
/// answered a question (their answer's job, run as the server: the storyteller's role may
/// not read who the family is).
pub async fn answer_arrived(db: &Db, signer: &Signer, public_url: &str, story_id: Uuid) -> Result<usize> {
    let Some(notice) = super::db::storyteller::answer_notice(db, story_id).await? else {
        return Ok(0);
    };
    let link = format!("{public_url}{}", urls::story(notice.campaign_id, story_id));
    let who = notice.storyteller.clone().unwrap_or_else(|| "Your storyteller".into());
    let lead = format!("{who} answered a question in “{}”: {}", notice.campaign, notice.title);
    let first_lines = excerpt(&notice.content);
    for (reader, email) in &notice.readers {
        let unsubscribe = signer.unsubscribe_link(public_url, *reader);
        let mut paragraphs = vec![lead.clone()];
        if !first_lines.is_empty() {
            paragraphs.push(first_lines.clone());
        }
        let mail = OutgoingMail {
            from_name: None,
            reply_key: None,
            auto_reply: false,
            to: email.clone(),
            subject: format!("New story: {}", notice.title),
            text: format!(
                "{lead}\n\n{first_lines}\n\nRead it: {link}\n\nDon't want these emails? Unsubscribe: {unsubscribe}\n"
            ),
            html: with_unsubscribe(html_body(&paragraphs, "Read the story", &link), &unsubscribe),
            link: Some(link.clone()),
        };
        mail.queue_on(db).await?;
    }
    Ok(notice.readers.len())
}

/// Runs a queued answer notice, if any.
pub async fn run_answer_notice_once(db: &Db, signer: &Signer, public_url: &str) -> Result<bool> {
    let Some(job) = jobs::claim(db, &[ANSWER_NOTICE_JOB.to_owned()]).await? else {
        return Ok(false);
    };
    let story_id = job.payload.get("story_id").and_then(|v| v.as_str()).and_then(|v| v.parse::<Uuid>().ok());
    let sent = match story_id {
        Some(story_id) => answer_arrived(db, signer, public_url, story_id).await,
        None => Err(anyhow::anyhow!("an answer notice without a story")),
    };
    match sent {
        Ok(_) => jobs::complete(db, job.id).await?,
        Err(err) => jobs::fail(db, &job, &format!("{err:#}")).await?,
    }
    Ok(true)
}

/// Sends each weekly reader one message listing the stories finished in the past week in
/// their campaigns; returns how many messages were queued.
pub async fn send_digests(db: &Db, signer: &Signer, public_url: &str) -> Result<usize> {
    let rows = notifications::finished_this_week(db).await?;
    let mut sent = 0;
    let mut i = 0;
    while i < rows.len() {
        let user = rows[i].user_id;
        let email = rows[i].email.clone();
        let mut lines = Vec::new();
        while i < rows.len() && rows[i].user_id == user {
            let r = &rows[i];
            lines.push((
                format!("{} — {}", r.title, r.campaign),
                format!("{public_url}{}", urls::story(r.campaign_id, r.story_id)),
            ));
            i += 1;
        }
        let unsubscribe = signer.unsubscribe_link(public_url, user);
        let lead = if lines.len() == 1 {
            "One story was finished this week:".to_owned()
        } else {
            format!("{} stories were finished this week:", lines.len())
        };
        let text = format!(
            "{lead}\n\n{}\n\nDon't want these emails? Unsubscribe: {unsubscribe}\n",
            lines.iter().map(|(t, l)| format!("- {t}: {l}")).collect::<Vec<_>>().join("\n")
        );
        let mut html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: Georgia, serif; font-size: 18px;\"><p>{}</p><ul>",
            html_escape(&lead)
        );
        for (title, link) in &lines {
            html.push_str(&format!("<li><a href=\"{}\">{}</a></li>", html_escape(link), html_escape(title)));
        }
        html.push_str("</ul></body></html>");
        OutgoingMail {
            from_name: None,
            reply_key: None,
            auto_reply: false,
            to: email,
            subject: "This week's new family stories".into(),
            text,
            html: with_unsubscribe(html, &unsubscribe),
            link: lines.first().map(|(_, l)| l.clone()),
        }
        .queue_on(db)
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// Keeps exactly one digest job scheduled; called at start-up.
pub async fn ensure_digest_scheduled(db: &Db) -> Result<()> {
    Ok(notifications::schedule_digest_unless_scheduled(db).await?)
}

/// Runs a due digest job, if any, and schedules the next one a week later.
pub async fn run_digest_once(db: &Db, signer: &Signer, public_url: &str) -> Result<bool> {
    let Some(job) = jobs::claim(db, &[DIGEST_JOB.to_owned()]).await? else {
        return Ok(false);
    };
    match send_digests(db, signer, public_url).await {
        Ok(sent) => {
            tracing::info!(sent, "weekly digests queued");
            jobs::complete(db, job.id).await?;
            notifications::schedule_next_digest(db).await?;
        }
        Err(err) => jobs::fail(db, &job, &format!("{err:#}")).await?,
    }
    Ok(true)
}

pub async fn run_digest_worker(db: Db, signer: Signer, public_url: String) {
    if let Err(err) = ensure_digest_scheduled(&db).await {
        tracing::error!(error = %err, "could not schedule the weekly digest");
    }
    let mut ticks = 0u32;
    loop {
        // Answers are announced within seconds; the weekly digest is looked for each minute.
        if ticks.is_multiple_of(12) {
            if let Err(err) = run_digest_once(&db, &signer, &public_url).await {
                tracing::error!(error = %err, "weekly digest");
            }
        }
        ticks = ticks.wrapping_add(1);
        loop {
            match run_answer_notice_once(&db, &signer, &public_url).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(err) => {
                    tracing::error!(error = %err, "answer notice");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Parses the preference a person chose.
pub fn parse_preference(s: &str) -> Option<StoryEmails> {
    StoryEmails::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(excerpt("# The farm\n\n**We** had _cows_."), "The farm We had cows.");
        assert!(excerpt(&"word ".repeat(200)).ends_with('…'));
    }
}
