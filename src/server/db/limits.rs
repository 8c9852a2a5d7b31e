//! Rate-limit counters, shared by every app instance through the database, and storage use.
use uuid::Uuid;

use super::Db;

// Windows are fixed (one row per bucket and window) but read as a sliding one: the previous
// window's hits count in proportion to how much of it still lies within the last
// `window_seconds`. A burst just before a window ends therefore still counts just after it,
// and nobody gets twice the limit by straddling the boundary.

/// Counts one hit in `bucket` and returns the hits in the last `window_seconds` (estimated
/// as above, rounded up).
pub async fn hit(db: &Db, bucket: &str, window_seconds: i32) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH w AS (SELECT date_bin(make_interval(secs => $2), NOW(), TIMESTAMPTZ 'epoch') AS start),
                cur AS (INSERT INTO rate_limit_hits (bucket, window_start) SELECT $1, start FROM w
                        ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
                        RETURNING hits)
           SELECT ceil((SELECT hits FROM cur)
                       + coalesce((SELECT p.hits FROM rate_limit_hits p, w
                                   WHERE p.bucket = $1 AND p.window_start = w.start - make_interval(secs => $2)), 0)
                         * (1 - extract(epoch FROM NOW() - (SELECT start FROM w))::float8 / $2))::int AS "hits!""#,
        bucket,
        f64::from(window_seconds),
    )
    .fetch_one(db.pool())
    .await
}

/// The hits in `bucket` in the last `window_seconds`, without counting one.
pub async fn hits(db: &Db, bucket: &str, window_seconds: i32) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH w AS (SELECT date_bin(make_interval(secs => $2), NOW(), TIMESTAMPTZ 'epoch') AS start)
           SELECT ceil(coalesce((SELECT c.hits FROM rate_limit_hits c, w WHERE c.bucket = $1 AND c.window_start = w.start), 0)
                       + coalesce((SELECT p.hits FROM rate_limit_hits p, w
                                   WHERE p.bucket = $1 AND p.window_start = w.start - make_interval(secs => $2)), 0)
                         * (1 - extract(epoch FROM NOW() - (SELECT start FROM w))::float8 / $2))::int AS "hits!""#,
        bucket,
        f64::from(window_seconds),
    )
    .fetch_one(db.pool())
    .await
}

/// Forgets windows that ended more than a day ago.
pub async fn purge(db: &Db) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM rate_limit_hits WHERE window_start < NOW() - interval '1 day'")
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Bytes of recordings and original photos in the campaign, and in every campaign of its
/// owner (the owner's quota counts them all). Server role: a contributor cannot see the
/// owner's other campaigns, but their sizes decide whether this upload fits.
pub async fn storage_used(db: &Db, campaign_id: Uuid) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"WITH owned AS (SELECT id FROM campaigns WHERE user_id = (SELECT user_id FROM campaigns WHERE id = $1)),
                sizes AS (
                    SELECT campaign_id, coalesce(size_bytes, 0)::bigint AS bytes FROM photos WHERE campaign_id IN (SELECT id FROM owned)
                    UNION ALL
                    SELECT campaign_id, coalesce(audio_size_bytes, 0) FROM stories WHERE campaign_id IN (SELECT id FROM owned)
                )
           SELECT coalesce(sum(bytes) FILTER (WHERE campaign_id = $1), 0)::bigint AS "campaign!",
                  coalesce(sum(bytes), 0)::bigint AS "owner!"
           FROM sizes"#,
        campaign_id
    )
    .fetch_one(db.pool())
    .await?;
    Ok((row.campaign, row.owner))
}

/// A person's tier as it applies now (an expired one is free) and what their tier limits count.
pub struct TierUsage {
    pub tier: String,
    pub active_campaigns: i64,
    pub recorded_stories: i64,
    pub books: i64,
}

pub async fn tier_usage(db: &Db, owner: Uuid, besides_story: Option<Uuid>) -> Result<TierUsage, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT CASE WHEN u.subscription_expires_at < NOW() THEN 'free'
                       ELSE coalesce(u.subscription_status, 'free') END AS "tier!",
                  (SELECT count(*) FROM campaigns c
                    WHERE c.user_id = u.id AND coalesce(c.status, 'active') NOT IN ('archived', 'completed')) AS "active_campaigns!",
                  (SELECT count(*) FROM stories s JOIN campaigns c ON c.id = s.campaign_id
                    WHERE c.user_id = u.id AND s.audio_url IS NOT NULL
                      AND s.id IS DISTINCT FROM $2) AS "recorded_stories!",
                  (SELECT count(*) FROM books b JOIN campaigns c ON c.id = b.campaign_id WHERE c.user_id = u.id) AS "books!"
           FROM users u WHERE u.id = $1"#,
        owner,
        besides_story
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        Some(r) => TierUsage {
            tier: r.tier,
            active_campaigns: r.active_campaigns,
            recorded_stories: r.recorded_stories,
            books: r.books,
        },
        None => TierUsage { tier: "free".into(), active_campaigns: 0, recorded_stories: 0, books: 0 },
    })
}

pub async fn campaign_owner(db: &Db, campaign_id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT user_id FROM campaigns WHERE id = $1", campaign_id).fetch_optional(db.pool()).await
}
