//! Story queries. Every one takes a [`CampaignAccess`] and addresses a story by both its id
//! and its campaign's, so a story id from another campaign finds nothing.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::story::{
    Audio, PhotoView, SaveOutcome, StoryDetail, StoryList, StoryListItem, StoryStatus, StoryText, TranscriptionStatus,
    TranscriptionUse,
};
use crate::server::authz::CampaignAccess;

pub async fn list(tx: &mut UserTx, access: &CampaignAccess) -> Result<StoryList, AppError> {
    let campaign = sqlx::query!(
        r#"SELECT title, coalesce(nullif(btrim(storyteller_name), ''), 'the storyteller') AS "storyteller!"
           FROM campaigns WHERE id = $1"#,
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await?;
    let campaign_title = campaign.title;
    // A storyteller's answer has no member as author: it is the storyteller's.
    let stories = sqlx::query!(
        r#"SELECT s.id, s.title, s.category, coalesce(s.status, 'draft') AS "status!",
                  coalesce(s.word_count, 0) AS "word_count!", s.audio_url IS NOT NULL AS "has_audio!",
                  coalesce(u.name, CASE WHEN s.author_left_at IS NOT NULL THEN 'a former member' END) AS "author?",
                  s.question_id IS NOT NULL AND s.created_by IS NULL AND s.author_left_at IS NULL AS "by_storyteller!",
                  coalesce(s.updated_at, s.created_at, NOW()) AS "updated_at!: DateTime<Utc>"
           FROM stories s LEFT JOIN users u ON u.id = s.created_by
           WHERE s.campaign_id = $1
           ORDER BY s.story_order NULLS LAST, s.created_at, s.id"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .map(|r| StoryListItem {
        id: r.id,
        title: r.title,
        category: r.category,
        status: StoryStatus::parse(&r.status).unwrap_or(StoryStatus::Draft),
        word_count: r.word_count,
        has_audio: r.has_audio,
        author: if r.by_storyteller { Some(campaign.storyteller.clone()) } else { r.author },
        updated_at: r.updated_at,
    })
    .collect();
    Ok(StoryList {
        campaign_id: access.campaign_id(),
        campaign_title,
        role: access.role(),
        editable: access.is_editable() && access.role() >= crate::model::Role::Contributor,
        stories,
    })
}

pub async fn detail(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    transcription_enabled: bool,
) -> Result<StoryDetail, AppError> {
    let r = sqlx::query!(
        r#"SELECT s.id, s.title, coalesce(s.content, '') AS "content!", s.category,
                  coalesce(s.status, 'draft') AS "status!", coalesce(s.word_count, 0) AS "word_count!",
                  s.version, s.created_by,
                  coalesce(u.name, CASE WHEN s.author_left_at IS NOT NULL THEN 'a former member'
                                        WHEN s.question_id IS NOT NULL AND s.created_by IS NULL
                                        THEN coalesce(nullif(btrim(c.storyteller_name), ''), 'the storyteller') END)
                    AS "author?",
                  coalesce(s.updated_at, s.created_at, NOW()) AS "updated_at!: DateTime<Utc>",
                  s.audio_url, s.audio_mime, s.audio_duration, s.transcription, s.transcription_status,
                  c.title AS campaign_title
           FROM stories s JOIN campaigns c ON c.id = s.campaign_id
           LEFT JOIN users u ON u.id = s.created_by
           WHERE s.id = $1 AND s.campaign_id = $2"#,
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let photos = story_photos(tx, access, story_id).await?;
    let audio = match (r.audio_url, r.audio_mime) {
        (Some(url), Some(mime)) => Some(Audio {
            url: format!("{url}?v={}", r.updated_at.timestamp_millis()),
            mime,
            duration_seconds: r.audio_duration.unwrap_or(0),
        }),
        _ => None,
    };
    Ok(StoryDetail {
        id: r.id,
        campaign_id: access.campaign_id(),
        campaign_title: r.campaign_title,
        content_html: String::new(), // rendered by the caller (server::markdown)
        title: r.title,
        content: r.content,
        category: r.category,
        status: StoryStatus::parse(&r.status).unwrap_or(StoryStatus::Draft),
        word_count: r.word_count,
        version: r.version,
        author: r.author,
        updated_at: r.updated_at,
        audio,
        transcription: r.transcription,
        transcription_status: TranscriptionStatus::parse(&r.transcription_status).unwrap_or_default(),
        transcription_enabled,
        photos,
        role: access.role(),
        can_edit: access.is_editable() && access.may_edit_story(r.created_by),
    })
}

pub async fn story_photos(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
) -> Result<Vec<PhotoView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT p.id, p.width, p.height, p.caption, p.original_filename
           FROM story_photos sp JOIN photos p ON p.id = sp.photo_id
           WHERE sp.story_id = $1 AND p.campaign_id = $2
           ORDER BY sp.position, sp.created_at"#,
        story_id,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            crate::model::story::PhotoView::new(
                access.campaign_id(),
                r.id,
                r.width,
                r.height,
                r.caption,
                r.original_filename,
            )
        })
        .collect())
}

/// The author and version of a story, locked until the transaction ends.
async fn lock(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<(Option<Uuid>, i32), AppError> {
    let row = sqlx::query!(
        "SELECT created_by, version FROM stories WHERE id = $1 AND campaign_id = $2 FOR UPDATE",
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((row.created_by, row.version))
}

/// Checks that the user may change the story, and locks it.
pub async fn require_editable(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<i32, AppError> {
    // Read first: FOR UPDATE only sees rows the user may update, which would turn
    // "not yours" (403) into "not found" (404).
    let author = sqlx::query_scalar!(
        "SELECT created_by FROM stories WHERE id = $1 AND campaign_id = $2",
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    access.ensure_may_edit_story(author)?;
    let (_, version) = lock(tx, access, story_id).await?;
    Ok(version)
}

pub async fn create(tx: &mut UserTx, access: &CampaignAccess, text: &StoryText) -> Result<Uuid, AppError> {
    access.ensure_editable()?;
    if access.role() < crate::model::Role::Contributor {
        return Err(AppError::Forbidden);
    }
    let id = sqlx::query_scalar!(
        r#"INSERT INTO stories (campaign_id, title, content, category, created_by, story_order)
           VALUES ($1, $2, $3, $4, $5,
                   (SELECT coalesce(max(story_order), 0) + 1 FROM stories WHERE campaign_id = $1))
           RETURNING id"#,
        access.campaign_id(),
        text.title,
        text.content,
        text.category,
        access.user_id(),
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Saves the text if nobody else saved since `base_version` (or `overwrite` is set: the
/// person saw the other version and chose theirs).
pub async fn save(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    base_version: i32,
    overwrite: bool,
    text: &StoryText,
) -> Result<SaveOutcome, AppError> {
    let current = require_editable(tx, access, story_id).await?;
    if current != base_version && !overwrite {
        let theirs = sqlx::query!(
            r#"SELECT title, coalesce(content, '') AS "content!",
                      coalesce(updated_at, NOW()) AS "updated_at!: DateTime<Utc>"
               FROM stories WHERE id = $1"#,
            story_id
        )
        .fetch_one(tx.conn())
        .await?;
        return Ok(SaveOutcome::Conflict {
            version: current,
            title: theirs.title,
            content: theirs.content,
            saved_at: theirs.updated_at,
        });
    }
    let saved = sqlx::query!(
        r#"UPDATE stories SET title = $3, content = $4, category = $5
           WHERE id = $1 AND campaign_id = $2
           RETURNING version, coalesce(word_count, 0) AS "word_count!",
                     coalesce(updated_at, NOW()) AS "updated_at!: DateTime<Utc>""#,
        story_id,
        access.campaign_id(),
        text.title,
        text.content,
        text.category,
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(SaveOutcome::Saved { version: saved.version, word_count: saved.word_count, saved_at: saved.updated_at })
}

/// Changes the status; answers whether the story was just finished (draft → completed).
pub async fn set_status(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    status: StoryStatus,
) -> Result<bool, AppError> {
    require_editable(tx, access, story_id).await?;
    let current =
        sqlx::query_scalar!(r#"SELECT coalesce(status, 'draft') AS "status!" FROM stories WHERE id = $1"#, story_id)
            .fetch_one(tx.conn())
            .await?;
    let current = StoryStatus::parse(&current).unwrap_or(StoryStatus::Draft);
    // Taking "reviewed" away is the owner's decision as much as giving it.
    if !status.may_set(access.role()) || !current.may_set(access.role()) {
        return Err(AppError::Forbidden);
    }
    sqlx::query!(
        r#"UPDATE stories SET status = $3,
               completed_at = CASE WHEN $3 = 'completed' AND status <> 'completed' THEN NOW() ELSE completed_at END
           WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id(),
        status.as_str()
    )
    .execute(tx.conn())
    .await?;
    Ok(status == StoryStatus::Completed && current == StoryStatus::Draft)
}

/// Moves a story to `position` (0-based) in the book order; the others close up around it.
pub async fn move_to(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid, position: i32) -> Result<(), AppError> {
    access.ensure_editable()?;
    if access.role() < crate::model::Role::Owner {
        return Err(AppError::Forbidden);
    }
    let mut ids = sqlx::query_scalar!(
        "SELECT id FROM stories WHERE campaign_id = $1 ORDER BY story_order NULLS LAST, created_at, id FOR UPDATE",
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    let from = ids.iter().position(|id| *id == story_id).ok_or(AppError::NotFound)?;
    let id = ids.remove(from);
    let to = usize::try_from(position).unwrap_or(0).min(ids.len());
    ids.insert(to, id);
    sqlx::query!(
        r#"UPDATE stories s SET story_order = o.ord::int
           FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, ord)
           WHERE s.id = o.id AND s.campaign_id = $1 AND s.story_order IS DISTINCT FROM o.ord::int"#,
        access.campaign_id(),
        &ids
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The person edits the transcription, or turns it into / appends it to the story text.
pub async fn save_transcription(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    transcription: &str,
) -> Result<(), AppError> {
    require_editable(tx, access, story_id).await?;
    sqlx::query!(
        r#"UPDATE stories SET transcription = $3,
               transcription_status = CASE WHEN $3 = '' THEN transcription_status ELSE 'done' END
           WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id(),
        transcription
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn use_transcription(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    how: TranscriptionUse,
) -> Result<(), AppError> {
    require_editable(tx, access, story_id).await?;
    let append = how == TranscriptionUse::Append;
    let updated = sqlx::query!(
        r#"UPDATE stories SET content = CASE
               WHEN $3 AND coalesce(content, '') <> '' THEN content || E'\n\n' || transcription
               ELSE transcription END
           WHERE id = $1 AND campaign_id = $2 AND coalesce(transcription, '') <> ''"#,
        story_id,
        access.campaign_id(),
        append
    )
    .execute(tx.conn())
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::Conflict("There is no transcription to use yet.".into()));
    }
    Ok(())
}

pub struct NewAudio {
    pub url: String,
    pub key: String,
    pub mime: String,
    pub duration_seconds: i32,
    pub size_bytes: i64,
}

/// Points the story at a newly stored recording (and queues its transcription); returns
/// the storage key of the recording it replaces, to delete once this is committed.
pub async fn set_audio(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
    audio: &NewAudio,
    transcribe: bool,
) -> Result<Option<String>, AppError> {
    require_editable(tx, access, story_id).await?;
    let old = sqlx::query_scalar!(r#"SELECT metadata->>'audio_key' AS "key?" FROM stories WHERE id = $1"#, story_id)
        .fetch_one(tx.conn())
        .await?;
    sqlx::query!(
        r#"UPDATE stories
           SET audio_url = $3, audio_mime = $4, audio_duration = $5, audio_size_bytes = $6,
               metadata = coalesce(metadata, '{}') || jsonb_build_object('audio_key', $7::text),
               transcription_status = 'none', transcription_error = NULL
           WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id(),
        audio.url,
        audio.mime,
        audio.duration_seconds,
        audio.size_bytes,
        audio.key,
    )
    .execute(tx.conn())
    .await?;
    if transcribe {
        sqlx::query_scalar!("SELECT enqueue_transcription($1)", story_id).fetch_one(tx.conn()).await?;
    }
    Ok(old)
}

/// Removes the recording from the story; returns its storage key.
pub async fn remove_audio(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
) -> Result<Option<String>, AppError> {
    require_editable(tx, access, story_id).await?;
    let old = sqlx::query_scalar!(r#"SELECT metadata->>'audio_key' AS "key?" FROM stories WHERE id = $1"#, story_id)
        .fetch_one(tx.conn())
        .await?;
    sqlx::query!(
        r#"UPDATE stories
           SET audio_url = NULL, audio_mime = NULL, audio_duration = NULL, audio_size_bytes = NULL,
               metadata = coalesce(metadata, '{}') - 'audio_key',
               transcription_status = CASE WHEN transcription_status IN ('queued', 'transcribing')
                                           THEN 'none' ELSE transcription_status END
           WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id(),
    )
    .execute(tx.conn())
    .await?;
    Ok(old)
}

/// Where a story's recording is stored, and its type.
pub async fn audio_file(
    tx: &mut UserTx,
    access: &CampaignAccess,
    story_id: Uuid,
) -> Result<(String, String), AppError> {
    let row = sqlx::query!(
        r#"SELECT metadata->>'audio_key' AS "key?", audio_mime FROM stories WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    match (row.key, row.audio_mime) {
        (Some(key), Some(mime)) => Ok((key, mime)),
        _ => Err(AppError::NotFound),
    }
}

/// Deletes the story; returns its recording's storage key, to delete once committed.
pub async fn delete(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<Option<String>, AppError> {
    require_editable(tx, access, story_id).await?;
    let key = sqlx::query_scalar!(
        r#"DELETE FROM stories WHERE id = $1 AND campaign_id = $2 RETURNING metadata->>'audio_key' AS "key?""#,
        story_id,
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(key)
}
