//! The background-job queue: a Postgres table claimed with FOR UPDATE SKIP LOCKED, so any
//! number of workers (in any number of server processes) share it without double work.
use serde_json::Value;
use sqlx::PgPool;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// A job running longer than this is taken to belong to a crashed worker and is retried.
const STALE_AFTER_SECONDS: f64 = 15.0 * 60.0;

pub async fn enqueue(pool: &PgPool, kind: &str, payload: Value) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!("INSERT INTO jobs (kind, payload) VALUES ($1, $2) RETURNING id", kind, payload)
        .fetch_one(pool)
        .await
}

pub async fn enqueue_with_attempts(
    pool: &PgPool,
    kind: &str,
    payload: Value,
    max_attempts: i32,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload, max_attempts) VALUES ($1, $2, $3) RETURNING id",
        kind,
        payload,
        max_attempts
    )
    .fetch_one(pool)
    .await
}

/// Claims the oldest due job of one of `kinds`, or `None` when there is nothing to do.
pub async fn claim(pool: &PgPool, kinds: &[String]) -> Result<Option<Job>, sqlx::Error> {
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
    .fetch_optional(pool)
    .await
}

pub async fn complete(pool: &PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE jobs SET status = 'done', finished_at = NOW(), locked_at = NULL WHERE id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Records a failure: retried later with exponential backoff until `max_attempts`.
pub async fn fail(pool: &PgPool, job: &Job, error: &str) -> Result<(), sqlx::Error> {
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
    .execute(pool)
    .await?;
    Ok(())
}

/// 10 s, 20 s, 40 s … capped at one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exponent = attempts.clamp(1, 20) - 1;
    chrono::Duration::seconds((10_i64 << exponent).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1).num_seconds(), 10);
        assert_eq!(backoff(2).num_seconds(), 20);
        assert_eq!(backoff(3).num_seconds(), 40);
        assert_eq!(backoff(30).num_seconds(), 3600);
    }
}
