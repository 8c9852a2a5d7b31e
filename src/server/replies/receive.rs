//! The one inbound path: a raw message, from IMAP, `mystoryflow mail receive` or
//! `POST /inbound/email`, becomes an answer, an addition to an answered question, a
//! message held for the family, or nothing (logged). Files are stored before the rows that
//! name them and removed again when the rows are not written.
use chrono::Utc;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{parse, reply_token, AttachmentKind, InboundMail, MailKind};
use crate::error::AppError;
use crate::server::db::replies::{self, EmailedAudio, EmailedPhoto, Incoming, Published, ReplyTarget, Saved};
use crate::server::mail::{html_body, OutgoingMail};
use crate::server::media::{audio, photo};
use crate::server::signing::{QuestionReply, Signer};
use crate::server::state::AppState;
use crate::server::{keys, limits};

/// What became of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new story answering the question.
    Answered(Uuid),
    /// Added to the story that had answered the question.
    Added(Uuid),
    /// From someone who may not answer: kept for the family to publish or discard.
    Held,
    /// Received before: nothing new.
    Duplicate,
    Ignored(Ignored),
}

/// Why a message was left alone (each is logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// Not a readable message.
    Unreadable,
    /// An out-of-office or other automatic answer.
    AutoReply,
    /// A delivery failure report.
    Bounce,
    /// No reply key we made: an unknown or forged address.
    UnknownRecipient,
    /// The question it answers no longer exists.
    QuestionGone,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered(_) => "answered",
            Outcome::Added(_) => "added",
            Outcome::Held => "held",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored(Ignored::Unreadable) => "ignored: unreadable",
            Outcome::Ignored(Ignored::AutoReply) => "ignored: automatic reply",
            Outcome::Ignored(Ignored::Bounce) => "ignored: bounce",
            Outcome::Ignored(Ignored::UnknownRecipient) => "ignored: unknown recipient",
            Outcome::Ignored(Ignored::QuestionGone) => "ignored: question gone",
        }
    }

    /// What `mail receive` exits with: 0 when the message was dealt with, 67 (EX_NOUSER)
    /// when it is addressed to no question of ours, so the mail server bounces it.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Ignored(Ignored::UnknownRecipient | Ignored::QuestionGone) => 67,
            _ => 0,
        }
    }
}

/// Takes one message as it arrived.
pub async fn receive(state: &AppState, raw: &[u8]) -> Result<Outcome, AppError> {
    deliver(state, raw, None).await
}

/// Publishes a held message a member decided to publish: the answer it would have been.
pub async fn publish(state: &AppState, raw_key: &str, published: Published) -> Result<Outcome, AppError> {
    let raw = state.storage.read_all(raw_key).await.map_err(|err| {
        tracing::error!(error = %err, key = raw_key, "a held reply's message is not in storage");
        AppError::Internal
    })?;
    let outcome = deliver(state, &raw, Some(published)).await?;
    if matches!(outcome, Outcome::Answered(_) | Outcome::Added(_)) {
        state.storage.delete(&[raw_key.to_owned()]).await;
    }
    Ok(outcome)
}

/// The reply key a message carries: in a recipient's `+` part first, else in the ids it
/// replies to (our Message-ID is the key at our domain). Only keys we signed count.
pub fn key_of(signer: &Signer, mail: &InboundMail) -> Option<QuestionReply> {
    let from_address = mail.to.iter().filter_map(|to| {
        let local = to.rsplit_once('@')?.0;
        let base = local.split_once('+')?.0;
        reply_token(to, base)
    });
    let from_ids = mail
        .in_reply_to
        .iter()
        .chain(mail.references.iter().rev())
        .filter_map(|id| id.split_once('@').map(|(key, _)| key));
    from_address.chain(from_ids).find_map(|key| QuestionReply::verify(signer, key))
}

async fn deliver(state: &AppState, raw: &[u8], published: Option<Published>) -> Result<Outcome, AppError> {
    let mail = match parse(raw) {
        Ok(mail) => mail,
        Err(err) => {
            tracing::warn!(error = %err, "an emailed reply could not be read; ignored");
            return Ok(Outcome::Ignored(Ignored::Unreadable));
        }
    };
    let sender = mail.from.clone().unwrap_or_default();
    match mail.kind {
        MailKind::Reply => {}
        MailKind::AutoReply => {
            tracing::info!(from = %sender, subject = %mail.subject, "an automatic reply to a question; ignored");
            return Ok(Outcome::Ignored(Ignored::AutoReply));
        }
        MailKind::Bounce => {
            tracing::warn!(from = %sender, subject = %mail.subject, "a question email bounced; ignored");
            return Ok(Outcome::Ignored(Ignored::Bounce));
        }
    }
    let Some(reply) = key_of(&state.signer, &mail) else {
        tracing::warn!(from = %sender, to = ?mail.to, "a reply without a reply key of ours (unknown or forged); ignored");
        return Ok(Outcome::Ignored(Ignored::UnknownRecipient));
    };
    let Some(target) = replies::target(&state.db, &reply).await? else {
        tracing::warn!(question = %reply.question_id(), "a reply to a question that no longer exists; ignored");
        return Ok(Outcome::Ignored(Ignored::QuestionGone));
    };
    let mut incoming = Incoming {
        message_key: mail.message_id.clone().unwrap_or_else(|| hex(&Sha256::digest(raw))),
        sender: sender.clone(),
        sender_name: mail.from_name.clone(),
        subject: mail.subject.clone(),
        text: mail.text.clone(),
        notes: Vec::new(),
        received_at: Utc::now(),
    };
    // Held mail counts too: a leaked reply address can't fill the family's storage.
    limits::ANSWERS_PER_LINK.hit(&state.db, &target.campaign_id.to_string()).await?;
    if published.is_none() && !replies::may_answer(&state.db, &target, &sender).await? {
        return hold(state, &reply, &target, &incoming, raw).await;
    }
    let new_story_id = Uuid::new_v4();
    let files = store_attachments(state, target.campaign_id, new_story_id, &mail).await?;
    incoming.notes = files.notes.clone();
    // Thanks go to whoever wrote, only for an answer they were allowed to give.
    let thank_you = if published.is_none() {
        serde_json::to_value(thank_you(&state.public_url, &target, &sender)).ok()
    } else {
        None
    };
    let saved = replies::answer(
        &state.db,
        &reply,
        &target,
        &incoming,
        new_story_id,
        &files.photos,
        &files.recordings,
        state.transcription_enabled,
        thank_you,
        published,
    )
    .await;
    let outcome = match saved {
        Ok(Saved::Answered(id)) => Outcome::Answered(id),
        Ok(Saved::Added(id)) => Outcome::Added(id),
        Ok(Saved::Duplicate | Saved::Held(_)) => Outcome::Duplicate,
        Err(err) => {
            state.storage.delete(&files.keys).await;
            return Err(err);
        }
    };
    if outcome == Outcome::Duplicate {
        state.storage.delete(&files.keys).await;
    }
    tracing::info!(question = %reply.question_id(), outcome = outcome.as_str(), "an emailed reply");
    Ok(outcome)
}

async fn hold(
    state: &AppState,
    reply: &QuestionReply,
    target: &ReplyTarget,
    incoming: &Incoming,
    raw: &[u8],
) -> Result<Outcome, AppError> {
    let raw_key = keys::held_reply(target.campaign_id, Uuid::new_v4());
    state.storage.put_bytes(&raw_key, raw.to_vec()).await.map_err(crate::server::media::internal)?;
    let saved = replies::hold(&state.db, reply, target, incoming, &raw_key).await;
    if !matches!(saved, Ok(Saved::Held(_))) {
        state.storage.delete(&[raw_key]).await;
    }
    tracing::info!(from = %incoming.sender, question = %reply.question_id(), "a reply from someone who may not answer; held for the family");
    Ok(match saved? {
        Saved::Held(_) => Outcome::Held,
        _ => Outcome::Duplicate,
    })
}

/// What the attachments became: stored photos and recordings, and words for what could not
/// be used.
#[derive(Default)]
struct Files {
    photos: Vec<EmailedPhoto>,
    recordings: Vec<EmailedAudio>,
    notes: Vec<String>,
    keys: Vec<String>,
}

async fn store_attachments(
    state: &AppState,
    campaign_id: Uuid,
    story_id: Uuid,
    mail: &InboundMail,
) -> Result<Files, AppError> {
    let total: usize = mail.attachments.iter().map(|a| a.bytes.len()).sum();
    if total > 0 {
        limits::ensure_room(&state.db, state.quota, campaign_id, total as u64).await?;
    }
    let mut files = Files::default();
    let stored = async {
        for attachment in &mail.attachments {
            let name = attachment.file_name.clone().unwrap_or_else(|| "an attachment".into());
            match &attachment.kind {
                AttachmentKind::Unsupported(words) => files.notes.push(words.clone()),
                AttachmentKind::Photo => {
                    let bytes = attachment.bytes.clone();
                    let (processed, bytes) = limits::decode(move || (photo::process_photo(&bytes), bytes)).await?;
                    let processed = match processed {
                        Ok(processed) => processed,
                        Err(err) => {
                            files.notes.push(format!("The photo “{name}” could not be used: {}", err.user_message()));
                            continue;
                        }
                    };
                    let id = Uuid::new_v4();
                    let keys = keys::photo_files(campaign_id, id);
                    files.keys.extend(keys.iter().cloned());
                    state.storage.put_bytes(&keys[0], bytes).await?;
                    state.storage.put_bytes(&keys[1], processed.display).await?;
                    state.storage.put_bytes(&keys[2], processed.thumbnail).await?;
                    files.photos.push(EmailedPhoto {
                        id,
                        filename: format!("{id}.{}", processed.extension),
                        original_filename: attachment.file_name.clone(),
                        size_bytes: attachment.bytes.len() as i32,
                        width: processed.width as i32,
                        height: processed.height as i32,
                        mime_type: processed.original_mime.to_owned(),
                        taken_at: processed.taken_at,
                    });
                }
                AttachmentKind::Audio => {
                    let staged = state.staging_dir.join(format!("reply-{}", Uuid::new_v4()));
                    tokio::fs::create_dir_all(&state.staging_dir).await?;
                    tokio::fs::write(&staged, &attachment.bytes).await?;
                    let path = staged.clone();
                    let probed = tokio::task::spawn_blocking(move || audio::probe_audio(&path)).await;
                    let info = match probed {
                        Ok(Ok(info)) => info,
                        Ok(Err(err)) => {
                            let _ = tokio::fs::remove_file(&staged).await;
                            files
                                .notes
                                .push(format!("The recording “{name}” could not be used: {}", err.user_message()));
                            continue;
                        }
                        Err(err) => {
                            let _ = tokio::fs::remove_file(&staged).await;
                            return Err(anyhow::anyhow!("probing a recording: {err}"));
                        }
                    };
                    // The first is the answer's; each other one becomes a story of its own.
                    let story_id = if files.recordings.is_empty() { story_id } else { Uuid::new_v4() };
                    let key = keys::new_recording(campaign_id, story_id, info.extension);
                    files.keys.push(key.clone());
                    let put = state.storage.put_file(&key, &staged).await;
                    let _ = tokio::fs::remove_file(&staged).await;
                    put?;
                    files.recordings.push(EmailedAudio {
                        story_id,
                        key,
                        mime: info.mime.to_owned(),
                        duration_seconds: info.duration_seconds as i32,
                        size_bytes: attachment.bytes.len() as i64,
                    });
                }
            }
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = stored {
        state.storage.delete(&files.keys).await;
        return Err(crate::server::media::internal(err));
    }
    Ok(files)
}

/// "Thank you — your family can read it now", to whoever answered.
fn thank_you(public_url: &str, target: &ReplyTarget, to: &str) -> OutgoingMail {
    let greeting = match &target.storyteller_name {
        Some(name) => format!("Dear {name},"),
        None => "Hello,".to_owned(),
    };
    let lines = vec![
        greeting,
        format!("Thank you for your answer to “{}”. Your family can read it now.", target.question),
        "Whenever you like, you can answer the next question the same way: just reply to its email.".to_owned(),
    ];
    let link = public_url.trim_end_matches('/').to_owned();
    OutgoingMail {
        to: to.to_owned(),
        subject: "Thank you — your family can read it now".into(),
        text: format!("{}\n\n{}\n\n{}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "MyStoryFlow", &link),
        link: None,
        from_name: Some(target.campaign_title.clone()),
        reply_key: None,
        auto_reply: true,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
