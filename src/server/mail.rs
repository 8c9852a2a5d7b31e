//! Outgoing mail. Messages are queued as jobs (in the transaction that causes them) and sent
//! by a worker with retries, so an SMTP outage delays mail and never loses it or blocks a
//! request. With SMTP_URL unset each message is written as an .eml file into the outbox
//! folder and its link is logged, so a fresh install works without a mail server.
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use serde::{Deserialize, Serialize};

use super::db::{self, jobs, Db, UserTx};

pub const JOB_KIND: &str = "mail";

/// One message, as queued.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link the message is about, logged when mail goes to the outbox.
    #[serde(default)]
    pub link: Option<String>,
    /// Shown as the sender's name (the family's), with MAIL_FROM's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    /// A question's signed reply key ([`Signer::reply_key`](super::signing::Signer::reply_key)):
    /// the message goes out with `Message-ID: <KEY@domain>` and, with REPLY_ADDRESS set,
    /// `Reply-To: replies+KEY@domain`, so the storyteller's reply finds its question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_key: Option<String>,
    /// An automatic answer to mail someone sent us (the thank-you for an emailed answer):
    /// marked `Auto-Submitted: auto-replied` (RFC 3834), so the sender's out-of-office
    /// answers it with nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_reply: bool,
}

#[derive(Clone)]
struct AutoSubmitted(String);

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted(s.trim().to_owned()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

impl OutgoingMail {
    /// Queues the message in the caller's transaction: it is sent only if that commits.
    pub async fn queue(&self, tx: &mut UserTx) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_value(self).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        db::mail::enqueue(tx, payload).await
    }

    /// Queues the message on the server's own connection (for server-side events).
    pub async fn queue_on(&self, db: &Db) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_value(self).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        jobs::enqueue_with_attempts(db, JOB_KIND, payload, 12).await?;
        Ok(())
    }
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// REPLY_ADDRESS split into its local part and domain.
    reply: Option<(String, String)>,
}

impl Mailer {
    /// SMTP when `smtp_url` is given (e.g. `smtp://user:pass@host:587?tls=required`), else
    /// .eml files in `outbox`.
    pub fn new(smtp_url: Option<&str>, outbox: &Path, from: &str) -> Result<Self> {
        let from: Mailbox = from.parse().with_context(|| format!("MAIL_FROM {from:?} is not an address"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not a valid smtp:// or smtps:// address")?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(outbox).with_context(|| format!("creating the outbox {}", outbox.display()))?;
                Transport::Outbox(AsyncFileTransport::new(outbox), outbox.to_owned())
            }
        };
        Ok(Mailer { transport, from, reply: None })
    }

    /// Where storytellers' replies go (REPLY_ADDRESS, e.g. `replies@stories.example.org`):
    /// each question's reply address is `replies+KEY@stories.example.org`.
    pub fn with_reply_address(mut self, address: Option<&str>) -> Result<Self> {
        self.reply = match address.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(address) => {
                let parsed: lettre::Address =
                    address.parse().with_context(|| format!("REPLY_ADDRESS {address:?} is not an address"))?;
                anyhow::ensure!(!parsed.user().contains('+'), "REPLY_ADDRESS {address:?} must not contain a '+'");
                Some((parsed.user().to_owned(), parsed.domain().to_owned()))
            }
        };
        Ok(self)
    }

    /// The domain of our Message-IDs: the reply address's, else MAIL_FROM's.
    fn id_domain(&self) -> &str {
        self.reply.as_ref().map_or(self.from.email.domain(), |(_, domain)| domain)
    }

    pub async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        let to: Mailbox = mail.to.parse().with_context(|| format!("{:?} is not an address", mail.to))?;
        let mut builder = Message::builder();
        if let Some(key) = &mail.reply_key {
            builder = builder.message_id(Some(format!("<{key}@{}>", self.id_domain())));
            if let Some((local, domain)) = &self.reply {
                let address = lettre::Address::new(format!("{local}+{key}"), domain).context("the reply address")?;
                builder = builder.reply_to(Mailbox::new(mail.from_name.as_deref().map(sender_name), address));
            }
        }
        if mail.auto_reply {
            builder = builder.header(AutoSubmitted("auto-replied".into()));
        }
        let message = builder
            .from(match &mail.from_name {
                Some(name) => Mailbox::new(Some(sender_name(name)), self.from.email.clone()),
                None => self.from.clone(),
            })
            .to(to)
            .subject(&mail.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html.clone())),
            )
            .context("building the message")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.context("sending by SMTP")?;
            }
            Transport::Outbox(files, dir) => {
                let id = files.send(message).await.context("writing to the outbox")?;
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    link = mail.link.as_deref().unwrap_or(""),
                    file = %dir.join(format!("{id}.eml")).display(),
                    "mail written to the outbox (set SMTP_URL to send it)"
                );
            }
        }
        Ok(())
    }
}

/// Sends queued mail for as long as the server runs.
pub async fn run_worker(db: Db, mailer: Mailer) {
    loop {
        match run_once(&db, &mailer).await {
            Ok(true) => continue,
            Ok(false) => tokio::time::sleep(Duration::from_secs(1)).await,
            Err(err) => {
                tracing::error!(error = %err, "mail worker");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Sends one queued message, if any; returns whether there was one.
pub async fn run_once(db: &Db, mailer: &Mailer) -> Result<bool> {
    let Some(job) = jobs::claim(db, &[JOB_KIND.to_owned()]).await? else {
        return Ok(false);
    };
    let mail: Result<OutgoingMail, _> = serde_json::from_value(job.payload.clone());
    let result = match mail {
        Ok(mail) => mailer.send(&mail).await,
        Err(err) => Err(anyhow::anyhow!("unreadable mail job: {err}")),
    };
    match result {
        Ok(()) => jobs::complete_and_forget(db, job.id).await?,
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), attempt = job.attempts, "mail not sent; will retry");
            jobs::fail(db, &job, &format!("{err:#}")).await?;
        }
    }
    Ok(true)
}

/// A display name safe for a From header: one line, at most 60 characters.
fn sender_name(name: &str) -> String {
    let one_line: String = name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    one_line.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(60).collect()
}

/// Escapes text for the HTML part.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The calm, plain HTML every message shares: a paragraph or two and one button-link.
pub fn html_body(paragraphs: &[String], link_text: &str, link: &str) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family: Georgia, serif; font-size: 18px; line-height: 1.5; color: #1f1a17;\">",
    );
    for p in paragraphs {
        html.push_str(&format!("<p>{}</p>", html_escape(p)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"display: inline-block; padding: 12px 24px; background: #7a3e1d; color: #fff; border-radius: 999px; text-decoration: none;\">{}</a></p>",
        html_escape(link),
        html_escape(link_text)
    ));
    html.push_str(&format!(
        "<p style=\"font-size: 14px; color: #4a403a;\">Or copy this address: {}</p>",
        html_escape(link)
    ));
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_smtp_mail_lands_in_the_outbox_with_both_parts() {
        let dir = std::env::temp_dir().join(format!("msf-outbox-{}", uuid::Uuid::new_v4()));
        let mailer = Mailer::new(None, &dir, "MyStoryFlow <hello@mystoryflow.local>").unwrap();
        let mail = OutgoingMail {
            from_name: None,
            reply_key: None,
            auto_reply: false,
            to: "ann@example.com".into(),
            subject: "Hello".into(),
            text: "Plain words".into(),
            html: html_body(&["<Rich> words".into()], "Open", "http://x/y"),
            link: Some("http://x/y".into()),
        };
        mailer.send(&mail).await.unwrap();
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let eml = std::fs::read_to_string(&file).unwrap();
        assert!(eml.contains("To: ann@example.com"));
        assert!(eml.contains("text/plain") && eml.contains("text/html"));
        assert!(eml.contains("&lt;Rich&gt;"));
        assert!(eml.contains("From: MyStoryFlow <hello@mystoryflow.local>"), "{eml}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_family_name_is_the_sender_name_on_our_own_address() {
        let dir = std::env::temp_dir().join(format!("msf-outbox-{}", uuid::Uuid::new_v4()));
        let mailer = Mailer::new(None, &dir, "MyStoryFlow <hello@mystoryflow.local>").unwrap();
        let mail = OutgoingMail {
            from_name: Some("Anna".into()),
            reply_key: None,
            auto_reply: false,
            to: "dad@example.com".into(),
            subject: "A question".into(),
            text: "Words".into(),
            html: "<p>Words</p>".into(),
            link: None,
        };
        mailer.send(&mail).await.unwrap();
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let eml = std::fs::read_to_string(&file).unwrap();
        assert!(eml.contains("From: Anna <hello@mystoryflow.local>"), "{eml}");
        std::fs::remove_dir_all(dir).ok();
        assert_eq!(sender_name("Anna\r\nBcc: x@evil.example"), "Anna Bcc: x@evil.example", "one line");
        assert_eq!(sender_name(&"a".repeat(100)).len(), 60);
    }

    #[tokio::test]
    async fn a_question_carries_its_reply_key_as_reply_address_and_message_id() {
        let dir = std::env::temp_dir().join(format!("msf-outbox-{}", uuid::Uuid::new_v4()));
        let mailer = Mailer::new(None, &dir, "MyStoryFlow <hello@mystoryflow.local>")
            .unwrap()
            .with_reply_address(Some("replies@stories.example.org"))
            .unwrap();
        let question = OutgoingMail {
            from_name: Some("Anna".into()),
            reply_key: Some("0123abcd".into()),
            auto_reply: false,
            to: "dad@example.com".into(),
            subject: "A question".into(),
            text: "Words".into(),
            html: "<p>Words</p>".into(),
            link: None,
        };
        mailer.send(&question).await.unwrap();
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let eml = std::fs::read_to_string(&file).unwrap();
        assert!(eml.contains("Reply-To: Anna <replies+0123abcd@stories.example.org>"), "{eml}");
        assert!(eml.contains("Message-ID: <0123abcd@stories.example.org>"), "{eml}");
        assert!(!eml.contains("Auto-Submitted"), "a question asks for an answer: {eml}");
        std::fs::remove_file(&file).unwrap();
        let thanks = OutgoingMail { auto_reply: true, reply_key: None, ..question };
        mailer.send(&thanks).await.unwrap();
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let eml = std::fs::read_to_string(&file).unwrap();
        assert!(eml.contains("Auto-Submitted: auto-replied"), "{eml}");
        std::fs::remove_dir_all(dir).ok();
        for bad in ["not an address", "replies+x@stories.example.org"] {
            let mailer = Mailer::new(None, &std::env::temp_dir(), "hello@mystoryflow.local").unwrap();
            assert!(mailer.with_reply_address(Some(bad)).is_err(), "{bad}");
        }
    }
}
