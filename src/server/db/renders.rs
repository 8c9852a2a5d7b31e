//! The queries of the render job and of listening links, as the server's own role: the
//! job runs with no signed-in member (it was authorized when it was queued), and a listening
//! link is a typed proof from its verifier.
use serde_json::Value;
use uuid::Uuid;

use super::Db;
use crate::model::book::BookDesign;

pub struct RenderInput {
    pub campaign_id: Uuid,
    pub title: String,
    pub design: BookDesign,
    pub design_version: i32,
    pub stories: Vec<RenderStory>,
    /// Every campaign photo the book may use: id → (width, height, gallery caption).
    pub photos: std::collections::HashMap<Uuid, (i32, i32, Option<String>)>,
    /// Active listening links: story id → link id.
    pub share_links: std::collections::HashMap<Uuid, Uuid>,
}

pub struct RenderStory {
    pub id: Uuid,
    pub title: String,
    pub content: String,
    pub has_audio: bool,
    /// Linked photo ids, in the story's order.
    pub photo_ids: Vec<Uuid>,
}

/// Claims the render: `None` when the book is gone or a newer render superseded `job`.
pub async fn start_render(db: &Db, book_id: Uuid, job: Uuid) -> Result<Option<RenderInput>, sqlx::Error> {
    let Some(book) = sqlx::query!(
        r#"UPDATE books SET render_status = 'rendering', render_stage = 'Gathering stories and photos', render_progress = 1
           WHERE id = $1 AND render_job = $2
           RETURNING campaign_id, title, design_data, design_version"#,
        book_id,
        job
    )
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let Ok(design) = serde_json::from_value::<BookDesign>(book.design_data) else {
        return Ok(None);
    };
    let ids: Vec<Uuid> = design.stories.iter().map(|s| s.story_id).collect();
    let mut stories = sqlx::query!(
        r#"SELECT s.id, s.title, coalesce(s.content, '') AS "content!", s.audio_url IS NOT NULL AS "has_audio!",
                  coalesce(array_agg(sp.photo_id ORDER BY sp.position, sp.created_at) FILTER (WHERE sp.photo_id IS NOT NULL), '{}') AS "photo_ids!: Vec<Uuid>"
           FROM stories s LEFT JOIN story_photos sp ON sp.story_id = s.id
           WHERE s.campaign_id = $1 AND s.id = ANY($2)
           GROUP BY s.id"#,
        book.campaign_id,
        &ids
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| (r.id, RenderStory { id: r.id, title: r.title, content: r.content, has_audio: r.has_audio, photo_ids: r.photo_ids }))
    .collect::<std::collections::HashMap<_, _>>();
    // Book order; stories deleted since they were chosen are skipped.
    let ordered = ids.iter().filter_map(|id| stories.remove(id)).collect();
    let photos = sqlx::query!("SELECT id, width, height, caption FROM photos WHERE campaign_id = $1", book.campaign_id)
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|r| (r.id, (r.width.unwrap_or(0), r.height.unwrap_or(0), r.caption)))
        .collect();
    let share_links = sqlx::query!(
        "SELECT story_id, id FROM story_share_links WHERE campaign_id = $1 AND revoked_at IS NULL",
        book.campaign_id
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| (r.story_id, r.id))
    .collect();
    Ok(Some(RenderInput {
        campaign_id: book.campaign_id,
        title: book.title,
        design,
        design_version: book.design_version,
        stories: ordered,
        photos,
        share_links,
    }))
}

/// Reports progress; `false` when a newer render superseded this one (stop then).
pub async fn report_progress(
    db: &Db,
    book_id: Uuid,
    job: Uuid,
    stage: &str,
    progress: i32,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE books SET render_stage = $3, render_progress = $4 WHERE id = $1 AND render_job = $2",
        book_id,
        job,
        stage,
        progress.clamp(0, 100)
    )
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(updated > 0)
}

pub struct RenderOutcome {
    pub design_version: i32,
    pub page_count: i32,
    pub story_count: i32,
    pub photo_count: i32,
    pub pdf_url: String,
    pub cover_pdf_url: String,
    pub preview_url: String,
    pub preflight: Value,
}

/// Publishes a finished render; returns the previous render's id (its files can go), or
/// `None` as the outer option when a newer render superseded this one.
pub async fn finish_render(
    db: &Db,
    book_id: Uuid,
    job: Uuid,
    outcome: &RenderOutcome,
) -> Result<Option<Option<Uuid>>, sqlx::Error> {
    let previous = sqlx::query_scalar!(
        r#"WITH old AS (SELECT render_id FROM books WHERE id = $1 AND render_job = $2 FOR UPDATE)
           UPDATE books SET render_status = 'done', render_stage = 'Done', render_progress = 100,
                  render_error = NULL, render_id = $2, render_job = NULL, rendered_version = $3,
                  rendered_at = NOW(), page_count = $4, story_count = $5, photo_count = $6,
                  pdf_url = $7, cover_pdf_url = $8, preview_url = $9, preflight = $10
           FROM old WHERE books.id = $1 AND books.render_job = $2
           RETURNING old.render_id"#,
        book_id,
        job,
        outcome.design_version,
        outcome.page_count,
        outcome.story_count,
        outcome.photo_count,
        outcome.pdf_url,
        outcome.cover_pdf_url,
        outcome.preview_url,
        outcome.preflight,
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(previous)
}

/// Where render `job` stands for the process running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Still the book's render in progress.
    Wanted,
    /// Finished and published: the book's current PDF (its process is only exiting).
    Published,
    /// Replaced by a newer render, or never the book's.
    Replaced,
}

/// The book's campaign and where render `job` stands; `None` when the book is gone.
pub async fn render_standing(db: &Db, book_id: Uuid, job: Uuid) -> Result<Option<(Uuid, Standing)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT campaign_id, render_job IS NOT DISTINCT FROM $2 AS "wanted!",
                  render_id IS NOT DISTINCT FROM $2 AS "published!"
           FROM books WHERE id = $1"#,
        book_id,
        job
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| {
        let standing = match (r.wanted, r.published) {
            (true, _) => Standing::Wanted,
            (false, true) => Standing::Published,
            (false, false) => Standing::Replaced,
        };
        (r.campaign_id, standing)
    }))
}

pub async fn fail_render(db: &Db, book_id: Uuid, job: Uuid, message: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE books SET render_status = 'failed', render_stage = NULL, render_error = $3, render_job = NULL
           WHERE id = $1 AND render_job = $2"#,
        book_id,
        job,
        message
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The recording behind a listening link: (story title, campaign title, storyteller,
/// audio key, mime), when the link is active and the story still has its recording.
pub struct Listening {
    pub story_title: String,
    pub campaign_title: String,
    pub storyteller: Option<String>,
    pub audio_key: String,
    pub audio_mime: String,
}

pub async fn listening(db: &Db, link: &crate::server::signing::ListenLink) -> Result<Option<Listening>, sqlx::Error> {
    let link_id = link.id();
    let row = sqlx::query!(
        r#"SELECT s.title, c.title AS campaign_title, c.storyteller_name,
                  s.metadata->>'audio_key' AS "audio_key?", s.audio_mime
           FROM story_share_links l
           JOIN stories s ON s.id = l.story_id AND s.campaign_id = l.campaign_id
           JOIN campaigns c ON c.id = l.campaign_id
           WHERE l.id = $1 AND l.revoked_at IS NULL"#,
        link_id
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|r| {
        Some(Listening {
            story_title: r.title,
            campaign_title: r.campaign_title,
            storyteller: r.storyteller_name,
            audio_key: r.audio_key?,
            audio_mime: r.audio_mime?,
        })
    }))
}
