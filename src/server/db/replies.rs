//! Emailed answers (#18): what a verified reply key leads to, and storing an answer, an
//! addition to an answered question, or a held message — each in one transaction, as the
//! server (the storyteller has no account), taking the [`QuestionReply`] proof. The family's
//! side (seeing held mail and deciding it) runs as the member, under `email_replies`' RLS.
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::question::{HeldReply, QuestionStatus};
use crate::model::storyteller::title_from_question;
use crate::server::authz::CampaignAccess;
use crate::server::signing::QuestionReply;
use crate::urls;

/// The sent question a reply key names, and who may answer it.
#[derive(Debug, Clone)]
pub struct ReplyTarget {
    pub campaign_id: Uuid,
    pub question: String,
    pub status: QuestionStatus,
    /// The story of an answered question (None once that story was deleted).
    pub story_id: Option<Uuid>,
    pub storyteller_email: Option<String>,
    pub storyteller_name: Option<String>,
    pub campaign_title: String,
}

/// The question behind a verified key; None when it was never sent or no longer exists.
pub async fn target(db: &Db, reply: &QuestionReply) -> Result<Option<ReplyTarget>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT q.campaign_id, q.question, q.status, q.story_id, c.storyteller_email,
                  nullif(btrim(c.storyteller_name), '') AS storyteller_name, c.title
           FROM campaign_questions q JOIN campaigns c ON c.id = q.campaign_id
           WHERE q.id = $1 AND q.sent_at IS NOT NULL"#,
        reply.question_id()
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| ReplyTarget {
        campaign_id: r.campaign_id,
        question: r.question,
        status: QuestionStatus::parse(&r.status).unwrap_or(QuestionStatus::Sent),
        story_id: r.story_id,
        storyteller_email: r.storyteller_email,
        storyteller_name: r.storyteller_name,
        campaign_title: r.title,
    }))
}

/// Whether `sender` may answer for this campaign: the storyteller's address, or an active
/// member who writes stories there (owner or contributor).
pub async fn may_answer(db: &Db, target: &ReplyTarget, sender: &str) -> Result<bool, sqlx::Error> {
    if target.storyteller_email.as_deref().is_some_and(|e| e.trim().eq_ignore_ascii_case(sender.trim())) {
        return Ok(true);
    }
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM family_members fm JOIN users u ON u.id = fm.user_id
                          WHERE fm.campaign_id = $1 AND fm.status = 'active' AND fm.role IN ('owner', 'contributor')
                            AND lower(u.email) = lower($2)) AS "may!""#,
        target.campaign_id,
        sender.trim()
    )
    .fetch_one(db.pool())
    .await
}

/// A photo whose files are stored already; its row is written with the answer.
#[derive(Debug, Clone)]
pub struct EmailedPhoto {
    pub id: Uuid,
    pub filename: String,
    pub original_filename: Option<String>,
    pub size_bytes: i32,
    pub width: i32,
    pub height: i32,
    pub mime_type: String,
    pub taken_at: Option<String>,
}

/// A recording whose file is stored already. `story_id` is the story it becomes when it is
/// not the answer's first recording (its key is under that story).
#[derive(Debug, Clone)]
pub struct EmailedAudio {
    pub story_id: Uuid,
    pub key: String,
    pub mime: String,
    pub duration_seconds: i32,
    pub size_bytes: i64,
}

/// One message, as it is stored.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The Message-ID (or a hash of the message): the same one twice makes one answer.
    pub message_key: String,
    pub sender: String,
    pub sender_name: Option<String>,
    pub subject: String,
    pub text: String,
    /// Attachments that could not be used, in words for the family.
    pub notes: Vec<String>,
    pub received_at: DateTime<Utc>,
}

/// What a message became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// A new story answering the question.
    Answered(Uuid),
    /// Added to the story that already answered the question.
    Added(Uuid),
    /// Kept for the family to publish or discard.
    Held(Uuid),
    /// This message was received before: nothing new.
    Duplicate,
}

/// Keeps a message from someone who may not answer, for the family to decide. `raw_key` is
/// where the message itself is stored (to publish it later).
pub async fn hold(
    db: &Db,
    reply: &QuestionReply,
    target: &ReplyTarget,
    incoming: &Incoming,
    raw_key: &str,
) -> Result<Saved, AppError> {
    let mut tx = db.begin().await?;
    let Some(id) = insert_reply(&mut tx, reply, target, incoming, "held", Some(raw_key)).await? else {
        return Ok(Saved::Duplicate);
    };
    tx.commit().await?;
    Ok(Saved::Held(id))
}

/// Stores an answer: a new completed story for a question not yet answered, else an
/// addition (dated) to the story that answered it; the photos and recording with it; the
/// transcription, the family's email and `thank_you` queued; all or nothing.
/// `new_story_id` is the id a new story gets (its recording is stored under it already).
/// `published` is a held message a member decided to publish: its row becomes the answer's
/// (Duplicate when someone decided it meanwhile).
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &Db,
    reply: &QuestionReply,
    target: &ReplyTarget,
    incoming: &Incoming,
    new_story_id: Uuid,
    photos: &[EmailedPhoto],
    recordings: &[EmailedAudio],
    transcribe: bool,
    thank_you: Option<Value>,
    published: Option<Published>,
) -> Result<Saved, AppError> {
    let mut tx = db.begin().await?;
    // The answer's SQL helpers (the family's email, the transcription) check the story is
    // this campaign's storyteller's, as on the storyteller's page.
    sqlx::query_scalar!(
        r#"SELECT set_config('app.storyteller_campaign', $1, true) AS "campaign!""#,
        target.campaign_id.to_string()
    )
    .fetch_one(&mut *tx)
    .await?;
    let reply_id = match published {
        None => insert_reply(&mut tx, reply, target, incoming, "answered", None).await?,
        Some(p) => {
            sqlx::query_scalar!(
                "UPDATE email_replies SET status = 'published', decided_at = NOW(), decided_by = $3, raw_key = NULL
             WHERE id = $1 AND campaign_id = $2 AND status = 'held' RETURNING id",
                p.reply_id,
                target.campaign_id,
                p.by
            )
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    let Some(reply_id) = reply_id else {
        return Ok(Saved::Duplicate);
    };
    // Locked while it is answered, as on the storyteller's page.
    let question = sqlx::query!(
        "SELECT question, category, prompt_id, status, story_id FROM campaign_questions WHERE id = $1 FOR UPDATE",
        reply.question_id()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let existing = question.story_id.filter(|_| question.status == "answered");
    let campaign_id = target.campaign_id;
    // One recording per story: the first goes with the answer, every other becomes a story
    // of its own right after it. None is ever dropped.
    let (mut audio, more) = match recordings.split_first() {
        Some((first, rest)) => (Some(first), rest),
        None => (None, &[][..]),
    };
    let saved = match existing {
        None => {
            insert_story(&mut tx, campaign_id, new_story_id, reply.question_id(), &question.question, &incoming.text)
                .await?;
            sqlx::query!(
                "UPDATE stories SET category = $2, prompt_id = $3 WHERE id = $1",
                new_story_id,
                question.category,
                question.prompt_id
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "UPDATE campaign_questions SET status = 'answered', answered_at = NOW(), story_id = $2 WHERE id = $1",
                reply.question_id(),
                new_story_id
            )
            .execute(&mut *tx)
            .await?;
            Saved::Answered(new_story_id)
        }
        Some(story_id) => {
            let date = incoming.received_at.format("%-d %B %Y");
            let addition = format!("Added by email on {date}:\n\n{}", incoming.text.trim());
            let has_audio = sqlx::query_scalar!(
                r#"UPDATE stories SET content = CASE WHEN btrim(coalesce(content, '')) = '' THEN $2
                                                     ELSE content || E'\n\n' || $2 END,
                                      updated_at = NOW()
                   WHERE id = $1 RETURNING audio_url IS NOT NULL AS "has_audio!""#,
                story_id,
                if incoming.text.trim().is_empty() { format!("Added by email on {date}.") } else { addition },
            )
            .fetch_one(&mut *tx)
            .await?;
            if has_audio {
                if let Some(recording) = audio.take() {
                    let title = format!("{} (continued)", title_from_question(&question.question));
                    insert_story(&mut tx, campaign_id, new_story_id, reply.question_id(), &title, "").await?;
                    set_audio(&mut tx, campaign_id, new_story_id, recording, transcribe).await?;
                }
            }
            Saved::Added(story_id)
        }
    };
    let story_id = match saved {
        Saved::Answered(id) | Saved::Added(id) => id,
        _ => unreachable!("only answers reach here"),
    };
    if let Some(recording) = audio {
        set_audio(&mut tx, campaign_id, story_id, recording, transcribe).await?;
    }
    for (n, recording) in (2..).zip(more) {
        let title = format!("{} (recording {n})", title_from_question(&question.question));
        insert_story(&mut tx, campaign_id, recording.story_id, reply.question_id(), &title, "").await?;
        set_audio(&mut tx, campaign_id, recording.story_id, recording, transcribe).await?;
    }
    for photo in photos {
        insert_photo(&mut tx, campaign_id, story_id, photo).await?;
    }
    sqlx::query!(
        "UPDATE email_replies SET status = CASE WHEN status = 'published' THEN status ELSE $2 END, story_id = $3
         WHERE id = $1",
        reply_id,
        if matches!(saved, Saved::Added(_)) { "added" } else { "answered" },
        story_id
    )
    .execute(&mut *tx)
    .await?;
    if matches!(saved, Saved::Answered(_)) {
        sqlx::query_scalar!("SELECT enqueue_answer_notice($1)", story_id).fetch_one(&mut *tx).await?;
    }
    if let Some(mail) = thank_you {
        sqlx::query!("INSERT INTO jobs (kind, payload, max_attempts) VALUES ('mail', $1, 12)", mail)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(saved)
}

async fn insert_reply(
    tx: &mut PgConnection,
    reply: &QuestionReply,
    target: &ReplyTarget,
    incoming: &Incoming,
    status: &str,
    raw_key: Option<&str>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO email_replies (campaign_id, question_id, message_key, sender, sender_name, subject, body,
                                      notes, status, raw_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (campaign_id, message_key) DO NOTHING RETURNING id"#,
        target.campaign_id,
        reply.question_id(),
        incoming.message_key.chars().take(1000).collect::<String>(),
        incoming.sender.chars().take(320).collect::<String>(),
        incoming.sender_name.as_ref().map(|n| n.chars().take(200).collect::<String>()),
        incoming.subject.chars().take(1000).collect::<String>(),
        incoming.text,
        &incoming.notes,
        status,
        raw_key,
    )
    .fetch_optional(tx)
    .await
}

/// A completed story by the storyteller (no account: `created_by` is null), placed last.
async fn insert_story(
    tx: &mut PgConnection,
    campaign_id: Uuid,
    story_id: Uuid,
    question_id: Uuid,
    title: &str,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO stories (id, campaign_id, title, content, status, completed_at, story_order, question_id)
           VALUES ($1, $2, $3, $4, 'completed', NOW(),
                   (SELECT coalesce(max(story_order), 0) + 1 FROM stories WHERE campaign_id = $2), $5)"#,
        story_id,
        campaign_id,
        title_from_question(title),
        text,
        question_id,
    )
    .execute(tx)
    .await?;
    Ok(())
}

async fn set_audio(
    tx: &mut PgConnection,
    campaign_id: Uuid,
    story_id: Uuid,
    audio: &EmailedAudio,
    transcribe: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE stories SET audio_url = $2, audio_mime = $3, audio_duration = $4, audio_size_bytes = $5,
                              metadata = coalesce(metadata, '{}'::jsonb) || jsonb_build_object('audio_key', $6::text)
           WHERE id = $1"#,
        story_id,
        urls::story_audio(campaign_id, story_id),
        audio.mime,
        audio.duration_seconds,
        audio.size_bytes,
        audio.key,
    )
    .execute(&mut *tx)
    .await?;
    if transcribe {
        sqlx::query_scalar!("SELECT enqueue_transcription($1)", story_id).fetch_one(&mut *tx).await?;
    }
    Ok(())
}

/// The photo's row, credited to the campaign's owner (the storyteller has no account), and
/// placed last in the story.
async fn insert_photo(
    tx: &mut PgConnection,
    campaign_id: Uuid,
    story_id: Uuid,
    photo: &EmailedPhoto,
) -> Result<(), sqlx::Error> {
    let view = crate::model::story::PhotoView::new(
        campaign_id,
        photo.id,
        Some(photo.width),
        Some(photo.height),
        None,
        photo.original_filename.clone(),
    );
    sqlx::query!(
        r#"INSERT INTO photos (id, user_id, story_id, campaign_id, filename, original_filename, url,
                               thumbnail_url, size_bytes, width, height, mime_type, metadata)
           VALUES ($1, (SELECT user_id FROM campaigns WHERE id = $3), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                   jsonb_strip_nulls(jsonb_build_object('taken_at', $12::text, 'source', 'email')))"#,
        photo.id,
        story_id,
        campaign_id,
        photo.filename,
        photo.original_filename,
        view.display_url,
        view.thumbnail_url,
        photo.size_bytes,
        photo.width,
        photo.height,
        photo.mime_type,
        photo.taken_at,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO story_photos (story_id, photo_id, position)
           VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM story_photos WHERE story_id = $1))"#,
        story_id,
        photo.id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A held message a member publishes, and who.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    pub reply_id: Uuid,
    pub by: Uuid,
}

/// Held messages of the campaign, oldest first (as the member: RLS shows them only to
/// those who manage the questions).
pub async fn held(tx: &mut UserTx, access: &CampaignAccess) -> Result<Vec<HeldReply>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT e.id, q.question AS "question?", e.sender, e.sender_name, e.subject, e.body, e.notes,
                  e.received_at AS "received_at: DateTime<Utc>"
           FROM email_replies e LEFT JOIN campaign_questions q ON q.id = e.question_id
           WHERE e.campaign_id = $1 AND e.status = 'held' ORDER BY e.received_at, e.id"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HeldReply {
            id: r.id,
            question: r.question,
            sender: r.sender,
            sender_name: r.sender_name,
            subject: r.subject,
            body: r.body,
            notes: r.notes,
            received: r.received_at.format("%-d %B %Y").to_string(),
        })
        .collect())
}

/// The stored message of a held reply, for publishing it (as the member, under RLS: only
/// those who manage the questions find it). Changes nothing: the answer's transaction marks it.
pub async fn held_message(tx: &mut UserTx, access: &CampaignAccess, reply_id: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar!(
        "SELECT raw_key FROM email_replies WHERE id = $1 AND campaign_id = $2 AND status = 'held'",
        reply_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .flatten()
    .ok_or_else(|| AppError::Conflict("That message was already dealt with.".into()))
}

/// Discards a held message (as the member, under RLS). Returns the stored message's key, to
/// remove the file.
pub async fn discard(tx: &mut UserTx, access: &CampaignAccess, reply_id: Uuid) -> Result<Option<String>, AppError> {
    let row = sqlx::query!(
        r#"UPDATE email_replies e SET status = 'discarded', decided_at = NOW(), decided_by = $3, raw_key = NULL
           FROM (SELECT id, raw_key FROM email_replies WHERE id = $1 AND campaign_id = $2 AND status = 'held' FOR UPDATE) old
           WHERE e.id = old.id
           RETURNING old.raw_key"#,
        reply_id,
        access.campaign_id(),
        tx.user_id(),
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| AppError::Conflict("That message was already dealt with.".into()))?;
    Ok(row.raw_key)
}
