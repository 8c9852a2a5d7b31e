//! The transcription worker's queries, as the server (the recording was authorized when it
//! was saved and queued). Each update names the recording it is about, so a recording
//! replaced meanwhile is never given the old one's text. And the one the editor polls while
//! it waits, as the member.
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::story::{TranscriptionState, TranscriptionStatus};
use crate::server::authz::CampaignAccess;

/// Where a story's transcription stands, and its text once done: all the editor polls for.
pub async fn progress(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
) -> Result<TranscriptionState, AppError> {
    let r = sqlx::query!(
        r#"SELECT transcription_status, transcription FROM stories WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(TranscriptionState {
        status: TranscriptionStatus::parse(&r.transcription_status).unwrap_or_default(),
        transcription: r.transcription,
    })
}

/// Marks the story's recording as being transcribed; its storage key and type, unless the
/// story or its recording was deleted meanwhile.
pub async fn start(db: &Db, story_id: Uuid) -> Result<Option<(String, String)>, sqlx::Error> {
    let story = sqlx::query!(
        r#"UPDATE stories SET transcription_status = 'transcribing' WHERE id = $1
           RETURNING metadata->>'audio_key' AS "key?", audio_mime"#,
        story_id
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(story.and_then(|s| Some((s.key?, s.audio_mime?))))
}

pub async fn done(db: &Db, story_id: Uuid, key: &str, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE stories SET transcription = $2, transcription_status = 'done', transcription_error = NULL
           WHERE id = $1 AND metadata->>'audio_key' = $3"#,
        story_id,
        text,
        key
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A failed attempt: queued again, or failed for good after the `last` attempt.
pub async fn failed(db: &Db, story_id: Uuid, key: &str, last: bool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE stories SET transcription_status = $2, transcription_error = $3
           WHERE id = $1 AND metadata->>'audio_key' = $4"#,
        story_id,
        if last { "failed" } else { "queued" },
        "The recording could not be transcribed. You can type the text yourself.",
        key
    )
    .execute(db.pool())
    .await?;
    Ok(())
}
