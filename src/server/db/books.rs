//! Book rows: the design (design_data), the render's progress and results, the listening
//! links printed as QR codes. Member queries take a `CampaignAccess`; the render worker's
//! queries (bottom of the file) run as the server.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::book::{BookCard, BookDesign, BookStatus, BookStory, BookTitle, Finding, RenderState, RenderStatus};
use crate::model::story::StoryStatus;
use crate::server::authz::CampaignAccess;

pub struct BookRow {
    pub id: Uuid,
    pub title: String,
    pub status: BookStatus,
    pub design: BookDesign,
    pub page_count: i32,
    pub story_count: i32,
    pub photo_count: i32,
    pub render: RenderState,
    pub render_id: Option<Uuid>,
    pub preflight: Vec<Finding>,
}

pub async fn campaign_title(tx: &mut UserTx, access: &CampaignAccess) -> Result<String, AppError> {
    Ok(sqlx::query_scalar!("SELECT title FROM campaigns WHERE id = $1", access.campaign_id())
        .fetch_one(tx.conn())
        .await?)
}

pub async fn list(tx: &mut UserTx, access: &CampaignAccess) -> Result<Vec<BookCard>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, title, status, page_count, story_count, updated_at AS "updated_at: DateTime<Utc>"
           FROM books WHERE campaign_id = $1 ORDER BY created_at DESC, id"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BookCard {
            id: r.id,
            title: r.title,
            status: BookStatus::parse(&r.status).unwrap_or(BookStatus::Draft),
            page_count: r.page_count,
            story_count: r.story_count,
            updated_at: r.updated_at,
        })
        .collect())
}

/// A new book holds every story with something written (finished or still a draft; the
/// designer marks the drafts) and every finished one, in the campaign's order, so a
/// family's first book is never empty just because nobody marked a story completed.
pub async fn create(tx: &mut UserTx, access: &CampaignAccess, title: &BookTitle) -> Result<Uuid, AppError> {
    let title = title.as_str();
    access.ensure_may_design_books()?;
    let finished = sqlx::query_scalar!(
        r#"SELECT id FROM stories
           WHERE campaign_id = $1 AND (status IN ('completed', 'reviewed') OR coalesce(content, '') ~ '\S')
           ORDER BY story_order NULLS LAST, created_at, id"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    let storyteller = sqlx::query_scalar!("SELECT storyteller_name FROM campaigns WHERE id = $1", access.campaign_id())
        .fetch_one(tx.conn())
        .await?;
    let design = BookDesign {
        author_line: storyteller.map(|name| format!("As told by {name}")).unwrap_or_default(),
        stories: finished.into_iter().map(|story_id| BookStory { story_id, ..Default::default() }).collect(),
        ..Default::default()
    };
    let id = sqlx::query_scalar!(
        r#"INSERT INTO books (campaign_id, user_id, title, template, cover_design, design_data, story_count)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
        access.campaign_id(),
        access.user_id(),
        title,
        design.template.as_str(),
        design.cover.layout.as_str(),
        serde_json::to_value(&design).map_err(internal)?,
        design.stories.len() as i32,
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "book design data");
    AppError::Internal
}

pub async fn get(tx: &mut UserTx, access: &CampaignAccess, book_id: Uuid) -> Result<BookRow, AppError> {
    let r = sqlx::query!(
        r#"SELECT b.id, b.title, b.status, b.design_data, b.page_count, b.story_count, b.photo_count,
                  b.render_status, b.render_stage, b.render_progress, b.render_error, b.render_id,
                  b.pdf_url, b.cover_pdf_url, b.preflight,
                  b.rendered_at AS "rendered_at: DateTime<Utc>",
                  (b.rendered_version IS DISTINCT FROM b.design_version OR EXISTS (
                      SELECT 1 FROM stories s
                      WHERE s.campaign_id = b.campaign_id AND s.updated_at > b.rendered_at
                        AND b.design_data->'stories' @> jsonb_build_array(jsonb_build_object('story_id', s.id))
                  )) AS "outdated!"
           FROM books b WHERE b.id = $1 AND b.campaign_id = $2"#,
        book_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let design: BookDesign = serde_json::from_value(r.design_data).map_err(internal)?;
    let preflight: Vec<Finding> = serde_json::from_value(r.preflight).unwrap_or_default();
    Ok(BookRow {
        id: r.id,
        title: r.title,
        status: BookStatus::parse(&r.status).unwrap_or(BookStatus::Draft),
        design,
        page_count: r.page_count,
        story_count: r.story_count,
        photo_count: r.photo_count,
        render: RenderState {
            status: RenderStatus::parse(&r.render_status).unwrap_or_default(),
            stage: r.render_stage,
            progress: r.render_progress,
            error: r.render_error,
            outdated: r.outdated,
            pdf_url: r.pdf_url,
            cover_pdf_url: r.cover_pdf_url,
            rendered_at: r.rendered_at,
        },
        render_id: r.render_id,
        preflight,
    })
}

/// Changes the design with `change` in one locked read-modify-write. Every change makes the
/// PDF outdated, and a book that was ready to order goes back to draft: what was proofread
/// is no longer what would print.
pub async fn change<F>(tx: &mut UserTx, access: &CampaignAccess, book_id: Uuid, change: F) -> Result<(), AppError>
where
    F: FnOnce(&mut String, &mut BookDesign) -> Result<(), AppError>,
{
    access.ensure_may_design_books()?;
    let row = sqlx::query!(
        "SELECT title, status, design_data FROM books WHERE id = $1 AND campaign_id = $2 FOR UPDATE",
        book_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if BookStatus::parse(&row.status).is_some_and(BookStatus::is_final) {
        return Err(AppError::Conflict(
            "This book has been ordered, so its design can't change any more. Make a copy of it to start a new edition.".into(),
        ));
    }
    let mut title = row.title;
    let mut design: BookDesign = serde_json::from_value(row.design_data).map_err(internal)?;
    change(&mut title, &mut design)?;
    sqlx::query!(
        r#"UPDATE books SET title = $3, template = $4, cover_design = $5, design_data = $6,
                  story_count = $7, design_version = design_version + 1, updated_at = NOW(),
                  status = CASE WHEN status = 'ready_to_order' THEN 'draft' ELSE status END,
                  proofread_by = NULL, proofread_at = NULL
           WHERE id = $1 AND campaign_id = $2"#,
        book_id,
        access.campaign_id(),
        title,
        design.template.as_str(),
        design.cover.layout.as_str(),
        serde_json::to_value(&design).map_err(internal)?,
        design.stories.len() as i32,
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A campaign story as the designer needs it.
pub struct CampaignStory {
    pub id: Uuid,
    pub title: String,
    pub status: StoryStatus,
    pub word_count: i32,
    pub has_audio: bool,
    /// (photo id, gallery caption), in the story's photo order.
    pub photos: Vec<(Uuid, Option<String>)>,
}

pub async fn campaign_stories(tx: &mut UserTx, access: &CampaignAccess) -> Result<Vec<CampaignStory>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT s.id, s.title, coalesce(s.status, 'draft') AS "status!",
                  coalesce(s.word_count, 0) AS "word_count!", s.audio_url IS NOT NULL AS "has_audio!",
                  coalesce(array_agg(p.id ORDER BY sp.position, sp.created_at) FILTER (WHERE p.id IS NOT NULL), '{}') AS "photo_ids!: Vec<Uuid>",
                  coalesce(array_agg(coalesce(p.caption, '') ORDER BY sp.position, sp.created_at) FILTER (WHERE p.id IS NOT NULL), '{}') AS "captions!: Vec<String>"
           FROM stories s
           LEFT JOIN story_photos sp ON sp.story_id = s.id
           LEFT JOIN photos p ON p.id = sp.photo_id AND p.campaign_id = s.campaign_id
           WHERE s.campaign_id = $1
           GROUP BY s.id
           ORDER BY s.story_order NULLS LAST, s.created_at, s.id"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CampaignStory {
            id: r.id,
            title: r.title,
            status: StoryStatus::parse(&r.status).unwrap_or(StoryStatus::Draft),
            word_count: r.word_count,
            has_audio: r.has_audio,
            photos: r
                .photo_ids
                .into_iter()
                .zip(r.captions)
                .map(|(id, caption)| (id, Some(caption).filter(|c| !c.is_empty())))
                .collect(),
        })
        .collect())
}

/// The campaign's photos, newest first, for choosing a cover.
pub async fn campaign_photos(
    tx: &mut UserTx,
    access: &CampaignAccess,
) -> Result<Vec<(Uuid, Option<String>)>, AppError> {
    let rows = sqlx::query!(
        "SELECT id, caption FROM photos WHERE campaign_id = $1 ORDER BY created_at DESC, id",
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.caption)).collect())
}

pub async fn require_story(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<bool, AppError> {
    let has_audio = sqlx::query_scalar!(
        r#"SELECT audio_url IS NOT NULL AS "has_audio!" FROM stories WHERE id = $1 AND campaign_id = $2"#,
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(has_audio)
}

pub async fn require_photo(tx: &mut UserTx, access: &CampaignAccess, photo_id: Uuid) -> Result<(), AppError> {
    super::photos::require_exists(tx, access, photo_id).await
}

/// Active listening links of the campaign: (story id, link id).
pub async fn share_links(tx: &mut UserTx, access: &CampaignAccess) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    let rows = sqlx::query!(
        "SELECT story_id, id FROM story_share_links WHERE campaign_id = $1 AND revoked_at IS NULL",
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| (r.story_id, r.id)).collect())
}

/// The story's active listening link, made if there is none.
pub async fn ensure_share_link(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<Uuid, AppError> {
    access.ensure_may_design_books()?;
    if let Some(id) = sqlx::query_scalar!(
        "SELECT id FROM story_share_links WHERE story_id = $1 AND campaign_id = $2 AND revoked_at IS NULL",
        story_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    {
        return Ok(id);
    }
    Ok(sqlx::query_scalar!(
        "INSERT INTO story_share_links (campaign_id, story_id, created_by) VALUES ($1, $2, $3) RETURNING id",
        access.campaign_id(),
        story_id,
        access.user_id()
    )
    .fetch_one(tx.conn())
    .await?)
}

pub async fn revoke_share_link(tx: &mut UserTx, access: &CampaignAccess, story_id: Uuid) -> Result<bool, AppError> {
    access.ensure_may_design_books()?;
    let revoked = sqlx::query!(
        "UPDATE story_share_links SET revoked_at = NOW() WHERE story_id = $1 AND campaign_id = $2 AND revoked_at IS NULL",
        story_id,
        access.campaign_id()
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(revoked > 0)
}

/// Queues a render; a render already running for this book is superseded.
pub async fn queue_render(tx: &mut UserTx, access: &CampaignAccess, book_id: Uuid) -> Result<Uuid, AppError> {
    access.ensure_may_design_books()?;
    let job = Uuid::new_v4();
    let updated = sqlx::query!(
        r#"UPDATE books SET render_status = 'queued', render_stage = 'Waiting to start', render_progress = 0,
                  render_error = NULL, render_job = $3
           WHERE id = $1 AND campaign_id = $2"#,
        book_id,
        access.campaign_id(),
        job
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query_scalar!("SELECT enqueue_book_render($1, $2)", book_id, job).fetch_one(tx.conn()).await?;
    Ok(job)
}

/// draft → ready_to_order, only for the current, proofread PDF without preflight errors.
pub async fn mark_ready(
    tx: &mut UserTx,
    access: &CampaignAccess,
    book_id: Uuid,
    proofread: bool,
) -> Result<(), AppError> {
    access.ensure_may_mark_book_ready()?;
    let book = get(tx, access, book_id).await?;
    match book.status {
        BookStatus::Draft => {}
        BookStatus::ReadyToOrder => return Ok(()),
        _ => return Err(AppError::Conflict("This book has already been ordered.".into())),
    }
    if book.render.status != RenderStatus::Done || book.render.outdated {
        return Err(AppError::Conflict(
            "Make the print PDF of the latest version first, then check it page by page.".into(),
        ));
    }
    let errors = book.preflight.iter().filter(|f| f.severity == crate::model::book::Severity::Error).count();
    if errors > 0 {
        return Err(AppError::Conflict(format!(
            "The print check found {errors} problem{} that must be fixed before printing.",
            if errors == 1 { "" } else { "s" }
        )));
    }
    if !proofread {
        return Err(AppError::invalid("proofread", "Please confirm that you have proofread every page."));
    }
    sqlx::query!(
        r#"UPDATE books SET status = 'ready_to_order', proofread_by = $3, proofread_at = NOW(), updated_at = NOW()
           WHERE id = $1 AND campaign_id = $2 AND status = 'draft'"#,
        book_id,
        access.campaign_id(),
        access.user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A new draft book with the same design (another edition, or a paperback beside the
/// hardcover). The PDF is not copied: the copy is typeset afresh.
pub async fn copy(tx: &mut UserTx, access: &CampaignAccess, book_id: Uuid) -> Result<Uuid, AppError> {
    access.ensure_may_design_books()?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO books (campaign_id, user_id, title, template, cover_design, design_data, story_count)
           SELECT campaign_id, $3, left(title || ' (copy)', 200), template, cover_design, design_data, story_count
           FROM books WHERE id = $1 AND campaign_id = $2
           RETURNING id"#,
        book_id,
        access.campaign_id(),
        access.user_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(id)
}

/// Deletes the book; returns the storage prefix of its files, to remove after the commit.
pub async fn delete(tx: &mut UserTx, access: &CampaignAccess, book_id: Uuid) -> Result<String, AppError> {
    access.ensure_may_design_books()?;
    let status = sqlx::query_scalar!(
        "SELECT status FROM books WHERE id = $1 AND campaign_id = $2",
        book_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if BookStatus::parse(&status).is_some_and(BookStatus::is_final) {
        return Err(AppError::Conflict("An ordered book is kept with its order and can't be deleted.".into()));
    }
    sqlx::query!("DELETE FROM books WHERE id = $1 AND campaign_id = $2", book_id, access.campaign_id())
        .execute(tx.conn())
        .await?;
    Ok(crate::server::keys::book_prefix(access.campaign_id(), book_id))
}

/// A stored file of a finished render, if the book's current render is `render_id`.
pub async fn require_render(
    tx: &mut UserTx,
    access: &CampaignAccess,
    book_id: Uuid,
    render_id: Uuid,
) -> Result<String, AppError> {
    sqlx::query_scalar!(
        "SELECT title FROM books WHERE id = $1 AND campaign_id = $2 AND render_id = $3",
        book_id,
        access.campaign_id(),
        render_id
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)
}
