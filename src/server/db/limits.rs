//! Rate-limit counters, shared by every app instance through the database.
use super::Db;

/// Counts one hit in `bucket`'s current window of `window_seconds` and returns the hits in it.
pub async fn hit(db: &Db, bucket: &str, window_seconds: i32) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO rate_limit_hits (bucket, window_start)
           VALUES ($1, date_bin(make_interval(secs => $2), NOW(), TIMESTAMPTZ 'epoch'))
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
           RETURNING hits"#,
        bucket,
        f64::from(window_seconds),
    )
    .fetch_one(db.pool())
    .await
}

/// The hits in `bucket`'s current window, without counting one.
pub async fn hits(db: &Db, bucket: &str, window_seconds: i32) -> Result<i32, sqlx::Error> {
    let hits = sqlx::query_scalar!(
        r#"SELECT hits FROM rate_limit_hits
           WHERE bucket = $1 AND window_start = date_bin(make_interval(secs => $2), NOW(), TIMESTAMPTZ 'epoch')"#,
        bucket,
        f64::from(window_seconds),
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(hits.unwrap_or(0))
}

/// Forgets windows that ended more than a day ago.
pub async fn purge(db: &Db) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM rate_limit_hits WHERE window_start < NOW() - interval '1 day'")
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
