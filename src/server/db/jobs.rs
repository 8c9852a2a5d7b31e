//! The job queue's queries, as the server: queuing, claiming, completing and failing jobs.
use serde_json::Value;

use super::Db;
use crate::server::jobs::{backoff, Job, STALE_AFTER_SECONDS};

/// Queues a job on the server's own connection.
pub async fn enqueue(db: &Db, kind: &str, payload: Value) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!("INSERT INTO jobs (kind, payload) VALUES ($1, $2) RETURNING id", kind, payload)
        .fetch_one(db.pool())
        .await
}

pub async fn enqueue_with_attempts(db: &Db, kind: &str, payload: Value, max_attempts: i32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload, max_attempts) VALUES ($1, $2, $3) RETURNING id",
        kind,
        payload,
        max_attempts
    )
    .fetch_one(db.pool())
    .await
}

/// Claims the oldest due job of one of `kinds`, or `None` when there is nothing to do.
pub async fn claim(db: &Db, kinds: &[String]) -> Result<Option<Job>, sqlx::Error> {
    sqlx::query_as!(
        Job,
        r#"UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_at = NOW()
           WHERE id = (
               SELECT id FROM jobs
               WHERE kind = ANY($1) AND run_at <= NOW()
                 AND (status = 'queued'
                      OR (status = 'running' AND locked_at < NOW() - make_interval(secs => $2)))
               ORDER BY run_at, id
               FOR UPDATE SKIP LOCKED
               LIMIT 1
           )
           RETURNING id, kind, payload, attempts, max_attempts"#,
        kinds,
        STALE_AFTER_SECONDS,
    )
    .fetch_optional(db.pool())
    .await
}

pub async fn complete(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE jobs SET status = 'done', finished_at = NOW(), locked_at = NULL WHERE id = $1", id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Records a failure: retried later with exponential backoff until `max_attempts`.
pub async fn fail(db: &Db, job: &Job, error: &str) -> Result<(), sqlx::Error> {
    let retry_in: Option<f64> = (job.attempts < job.max_attempts).then(|| backoff(job.attempts).num_seconds() as f64);
    sqlx::query!(
        r#"UPDATE jobs
           SET status = CASE WHEN $2::float8 IS NULL THEN 'failed' ELSE 'queued' END,
               run_at = coalesce(NOW() + make_interval(secs => $2::float8), run_at),
               last_error = $3,
               locked_at = NULL,
               finished_at = CASE WHEN $2::float8 IS NULL THEN NOW() END
           WHERE id = $1"#,
        job.id,
        retry_in,
        error,
    )
    .execute(db.pool())
    .await?;
    Ok(())
}
