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
/// A job whose worker died (still "running" after [`STALE_AFTER_SECONDS`]) is claimed again
/// only while it has attempts left: one that kills its worker is not retried forever.
pub async fn claim(db: &Db, kinds: &[String]) -> Result<Option<Job>, sqlx::Error> {
    let job = sqlx::query_as!(
        Job,
        r#"UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_at = NOW()
           WHERE id = (
               SELECT id FROM jobs
               WHERE kind = ANY($1) AND run_at <= NOW()
                 AND (status = 'queued'
                      OR (status = 'running' AND locked_at < NOW() - make_interval(secs => $2)
                          AND attempts < max_attempts))
               ORDER BY run_at, id
               FOR UPDATE SKIP LOCKED
               LIMIT 1
           )
           RETURNING id, kind, payload, attempts, max_attempts"#,
        kinds,
        STALE_AFTER_SECONDS,
    )
    .fetch_optional(db.pool())
    .await?;
    if job.is_none() {
        bury_abandoned(db, kinds).await?;
    }
    Ok(job)
}

/// Marks failed the jobs whose worker died during their last allowed attempt, and says so
/// in the log: these need a person to look at them.
async fn bury_abandoned(db: &Db, kinds: &[String]) -> Result<(), sqlx::Error> {
    let dead = sqlx::query!(
        r#"UPDATE jobs
           SET status = 'failed', finished_at = NOW(), locked_at = NULL,
               last_error = concat_ws('; ', last_error, 'the worker stopped during its last attempt')
           WHERE kind = ANY($1) AND status = 'running'
             AND locked_at < NOW() - make_interval(secs => $2) AND attempts >= max_attempts
           RETURNING id, kind, attempts"#,
        kinds,
        STALE_AFTER_SECONDS,
    )
    .fetch_all(db.pool())
    .await?;
    for job in dead {
        tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, "job abandoned: its worker stopped during every attempt");
    }
    Ok(())
}

/// A job by id (the render child process runs the job its parent claimed).
pub async fn get(db: &Db, id: i64) -> Result<Option<Job>, sqlx::Error> {
    sqlx::query_as!(Job, "SELECT id, kind, payload, attempts, max_attempts FROM jobs WHERE id = $1", id)
        .fetch_optional(db.pool())
        .await
}

/// A long job says it is still alive, so it is not taken for a crashed worker's.
pub async fn heartbeat(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE jobs SET locked_at = NOW() WHERE id = $1 AND status = 'running'", id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn complete(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE jobs SET status = 'done', finished_at = NOW(), locked_at = NULL WHERE id = $1", id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Completes a job and clears its payload: a sent message's text holds links with tokens
/// (invitations), which must not outlive their use in the queue.
pub async fn complete_and_forget(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET status = 'done', finished_at = NOW(), locked_at = NULL, payload = '{}' WHERE id = $1",
        id
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes jobs done more than `done_days` ago and failed ones after `failed_days` (kept
/// longer, for whoever investigates).
pub async fn purge_finished(db: &Db, done_days: i32, failed_days: i32) -> Result<u64, sqlx::Error> {
    let purged = sqlx::query!(
        "DELETE FROM jobs
         WHERE (status = 'done' AND finished_at < NOW() - make_interval(days => $1))
            OR (status = 'failed' AND finished_at < NOW() - make_interval(days => $2))",
        done_days,
        failed_days
    )
    .execute(db.pool())
    .await?;
    Ok(purged.rows_affected())
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
