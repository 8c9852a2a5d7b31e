//! The transcription worker's queries, as the server (the recording was authorized when it
//! was saved and queued). Each update names the recording it is about, so a recording
//! replaced meanwhile is never given the old one's text.
use sqlx::PgPool;
use uuid::Uuid;

/// Marks the story's recording as being transcribed; its storage key and type, unless the
/// story or its recording was deleted meanwhile.
pub async fn start(pool: &PgPool, story_id: Uuid) -> Result<Option<(String, String)>, sqlx::Error> {
    let story = sqlx::query!(
        r#"UPDATE stories SET transcription_status = 'transcribing' WHERE id = $1
           RETURNING metadata->>'audio_key' AS "key?", audio_mime"#,
        story_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(story.and_then(|s| Some((s.key?, s.audio_mime?))))
}

pub async fn done(pool: &PgPool, story_id: Uuid, key: &str, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE stories SET transcription = $2, transcription_status = 'done', transcription_error = NULL
           WHERE id = $1 AND metadata->>'audio_key' = $3"#,
        story_id,
        text,
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A failed attempt: queued again, or failed for good after the `last` attempt.
pub async fn failed(pool: &PgPool, story_id: Uuid, key: &str, last: bool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE stories SET transcription_status = $2, transcription_error = $3
           WHERE id = $1 AND metadata->>'audio_key' = $4"#,
        story_id,
        if last { "failed" } else { "queued" },
        "The recording could not be transcribed. You can type the text yourself.",
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}
