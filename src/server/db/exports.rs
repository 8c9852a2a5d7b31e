//! "Download my data": the export rows (asked for by the person, advanced by the job) and the
//! statements that gather everything a person may take with them. Each list is its own
//! statement, nested with scalar subqueries, so no join multiplies rows (the seed's
//! `json_agg` over two LEFT JOINs repeated every story once per campaign row).
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::{account::EXPORT_KEPT_DAYS, DataExport, ExportStatus};

pub const JOB_KIND: &str = "export_data";
/// Exports a person may start in a day: each one reads every file they own.
pub const PER_DAY: i64 = 5;

/// Queues an export, or returns the one already queued or running (a second click, a second
/// tab). The job is queued in the same transaction as the row.
pub async fn request(db: &Db, user_id: Uuid) -> Result<Uuid, AppError> {
    let mut tx = db.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('data_export:' || $1::text)::bigint)", user_id.to_string())
        .execute(&mut *tx)
        .await?;
    let open = sqlx::query_scalar!(
        "SELECT id FROM data_exports WHERE user_id = $1 AND status IN ('queued', 'running') LIMIT 1",
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = open {
        return Ok(id);
    }
    let today = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM data_exports WHERE user_id = $1 AND created_at > now() - interval '1 day'"#,
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if today >= PER_DAY {
        return Err(AppError::TooMany(format!(
            "You have made {PER_DAY} exports today. Please download the latest one, or try again tomorrow."
        )));
    }
    let id = sqlx::query_scalar!(
        r#"WITH made AS (INSERT INTO data_exports (user_id) VALUES ($1) RETURNING id)
           INSERT INTO jobs (kind, payload, max_attempts)
           SELECT $2, jsonb_build_object('export_id', made.id), 3 FROM made
           RETURNING (payload->>'export_id')::uuid AS "id!""#,
        user_id,
        JOB_KIND
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The person's latest export, if any (their own rows only, by row-level security).
pub async fn latest(tx: &mut UserTx) -> Result<Option<DataExport>, AppError> {
    let row = sqlx::query!(
        r#"SELECT id, status, progress, size_bytes, created_at AS "created_at: DateTime<Utc>",
                  expires_at AS "expires_at: DateTime<Utc>" FROM data_exports
           WHERE user_id = auth.uid() ORDER BY created_at DESC LIMIT 1"#
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| DataExport {
        id: r.id,
        status: ExportStatus::parse(&r.status).unwrap_or(ExportStatus::Failed),
        progress: r.progress,
        size_bytes: r.size_bytes,
        created_at: r.created_at,
        expires_at: r.expires_at,
    }))
}

/// A ready, unexpired export of the person's own: its storage key and size.
pub async fn download(tx: &mut UserTx, export_id: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar!(
        r#"SELECT storage_key AS "key!" FROM data_exports
           WHERE id = $1 AND user_id = auth.uid() AND status = 'ready' AND expires_at > now()"#,
        export_id
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)
}

/// Marks an export running and says whose it is; `None` when it is gone or finished.
pub async fn start(db: &Db, export_id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE data_exports SET status = 'running', progress = 0
           WHERE id = $1 AND status IN ('queued', 'running') RETURNING user_id"#,
        export_id
    )
    .fetch_optional(db.pool())
    .await
}

pub async fn report(db: &Db, export_id: Uuid, percent: i32) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE data_exports SET progress = $2 WHERE id = $1 AND status = 'running'",
        export_id,
        percent.clamp(0, 99)
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The ZIP is stored: downloadable for [`EXPORT_KEPT_DAYS`].
pub async fn finish(db: &Db, export_id: Uuid, key: &str, size: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE data_exports
           SET status = 'ready', progress = 100, storage_key = $2, size_bytes = $3, finished_at = now(),
               expires_at = now() + make_interval(days => $4::int)
           WHERE id = $1 RETURNING expires_at AS "expires_at!: DateTime<Utc>""#,
        export_id,
        key,
        size,
        EXPORT_KEPT_DAYS as i32
    )
    .fetch_one(db.pool())
    .await
}

pub async fn fail(db: &Db, export_id: Uuid, message: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE data_exports SET status = 'failed', error = left($2, 500), finished_at = now() WHERE id = $1",
        export_id,
        message
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Exports past their seven days, with the file to remove.
pub async fn expired(db: &Db) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, storage_key AS "key!" FROM data_exports
           WHERE status = 'ready' AND expires_at <= now() ORDER BY expires_at LIMIT 100"#
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.key)).collect())
}

pub async fn mark_expired(db: &Db, export_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE data_exports SET status = 'expired', storage_key = NULL WHERE id = $1", export_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The person's profile and memberships.
pub async fn profile(tx: &mut UserTx) -> Result<(Value, Value), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT jsonb_build_object(
                    'id', u.id, 'email', u.email, 'name', u.name, 'avatar_url', u.avatar_url,
                    'subscription_status', u.subscription_status,
                    'subscription_expires_at', u.subscription_expires_at,
                    'preferences', u.preferences, 'created_at', u.created_at) AS "profile!",
                  (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'campaign_id', fm.campaign_id, 'campaign_title', c.title, 'role', fm.role,
                        'status', fm.status, 'relationship', fm.relationship, 'name', fm.name,
                        'invited_at', fm.invited_at, 'joined_at', fm.joined_at) ORDER BY fm.created_at), '[]')
                   FROM family_members fm LEFT JOIN campaigns c ON c.id = fm.campaign_id
                   WHERE fm.user_id = u.id) AS "memberships!"
           FROM users u WHERE u.id = auth.uid()"#
    )
    .fetch_one(tx.conn())
    .await?;
    Ok((row.profile, row.memberships))
}

/// The campaigns the person owns, each with its family, photos, books and orders.
pub async fn owned_campaigns(tx: &mut UserTx) -> Result<Vec<Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT jsonb_build_object(
             'id', c.id, 'title', c.title, 'description', c.description,
             'storyteller_name', c.storyteller_name, 'storyteller_email', c.storyteller_email,
             'relationship_type', c.relationship_type, 'status', c.status, 'goal_stories', c.goal_stories,
             'started_at', c.started_at, 'created_at', c.created_at, 'updated_at', c.updated_at,
             'family', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'name', fm.name, 'email', fm.email, 'role', fm.role, 'status', fm.status,
                  'relationship', fm.relationship, 'joined_at', fm.joined_at) ORDER BY fm.created_at), '[]')
                FROM family_members fm WHERE fm.campaign_id = c.id),
             'photos', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'id', p.id, 'caption', p.caption, 'original_filename', p.original_filename,
                  'mime_type', p.mime_type, 'width', p.width, 'height', p.height, 'size_bytes', p.size_bytes,
                  'uploaded_by', p.user_id, 'created_at', p.created_at) ORDER BY p.created_at, p.id), '[]')
                FROM photos p WHERE p.campaign_id = c.id),
             'books', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'id', b.id, 'title', b.title, 'template', b.template, 'cover_design', b.cover_design,
                  'status', b.status, 'design', b.design_data, 'page_count', b.page_count,
                  'render_id', CASE WHEN b.render_status = 'done' THEN b.render_id END,
                  'rendered_at', b.rendered_at, 'created_at', b.created_at) ORDER BY b.created_at), '[]')
                FROM books b WHERE b.campaign_id = c.id),
             'orders', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'id', o.id, 'book_id', o.book_id, 'quantity', o.quantity, 'unit_price', o.unit_price,
                  'total_price', o.total_price, 'shipping_address', o.shipping_address,
                  'book_options', o.book_options, 'status', o.status, 'order_number', o.order_number,
                  'tracking_number', o.tracking_number, 'ordered_at', o.ordered_at,
                  'shipped_at', o.shipped_at, 'delivered_at', o.delivered_at) ORDER BY o.ordered_at), '[]')
                FROM book_orders o WHERE o.book_id IN (SELECT b.id FROM books b WHERE b.campaign_id = c.id))
           ) AS "campaign!"
           FROM campaigns c WHERE c.user_id = auth.uid() ORDER BY c.created_at, c.id"#
    )
    .fetch_all(tx.conn())
    .await
}

/// Every story in the person's own campaigns and every story they wrote elsewhere, with its
/// comments, hearts, photos (ids) and recording; `campaign_id` says where each belongs.
pub async fn stories(tx: &mut UserTx) -> Result<Vec<Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT jsonb_build_object(
             'id', s.id, 'campaign_id', s.campaign_id, 'campaign_title', c.title, 'title', s.title,
             'content', s.content, 'word_count', s.word_count, 'category', s.category, 'order', s.story_order,
             'status', s.status, 'written_by', coalesce(a.name, CASE WHEN s.author_left_at IS NOT NULL THEN 'a former member'
                                                  WHEN s.question_id IS NOT NULL THEN c.storyteller_name END),
             'created_at', s.created_at, 'updated_at', s.updated_at, 'completed_at', s.completed_at,
             'transcription', s.transcription, 'transcription_status', s.transcription_status,
             'audio', CASE WHEN s.metadata->>'audio_key' IS NOT NULL THEN jsonb_build_object(
                  'key', s.metadata->>'audio_key', 'mime', s.audio_mime, 'duration_seconds', s.audio_duration,
                  'size_bytes', s.audio_size_bytes) END,
             'photos', (SELECT coalesce(jsonb_agg(sp.photo_id ORDER BY sp.position), '[]')
                FROM story_photos sp WHERE sp.story_id = s.id),
             'comments', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'by', coalesce(cu.name, 'former member'), 'body', sc.body, 'created_at', sc.created_at)
                  ORDER BY sc.created_at), '[]')
                FROM story_comments sc LEFT JOIN users cu ON cu.id = sc.user_id WHERE sc.story_id = s.id),
             'hearts', (SELECT coalesce(jsonb_agg(coalesce(hu.name, 'former member') ORDER BY h.created_at), '[]')
                FROM story_hearts h LEFT JOIN users hu ON hu.id = h.user_id WHERE h.story_id = s.id)
           ) AS "story!"
           FROM stories s
           JOIN campaigns c ON c.id = s.campaign_id
           LEFT JOIN users a ON a.id = s.created_by
           WHERE c.user_id = auth.uid() OR s.created_by = auth.uid()
           ORDER BY c.created_at, c.id, s.story_order, s.created_at"#
    )
    .fetch_all(tx.conn())
    .await
}

/// Photos of stories the person wrote in other families' campaigns (their own campaigns'
/// photos come with [`owned_campaigns`]).
pub async fn photos_elsewhere(tx: &mut UserTx) -> Result<Vec<Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT DISTINCT ON (p.id) jsonb_build_object(
             'id', p.id, 'campaign_id', p.campaign_id, 'caption', p.caption,
             'original_filename', p.original_filename, 'mime_type', p.mime_type, 'width', p.width,
             'height', p.height, 'size_bytes', p.size_bytes, 'uploaded_by', p.user_id, 'created_at', p.created_at
           ) AS "photo!"
           FROM photos p
           JOIN story_photos sp ON sp.photo_id = p.id
           JOIN stories s ON s.id = sp.story_id
           JOIN campaigns c ON c.id = s.campaign_id
           WHERE s.created_by = auth.uid() AND c.user_id <> auth.uid()
           ORDER BY p.id"#
    )
    .fetch_all(tx.conn())
    .await
}
