//! The seed's trigger and view, with their bugs fixed.
use sqlx::{PgPool, Row};

async fn campaign(pool: &PgPool, goal: Option<i32>) -> uuid::Uuid {
    let user: uuid::Uuid = sqlx::query_scalar(
        "WITH a AS (INSERT INTO auth.users (email, encrypted_password) VALUES ('o@example.com', 'x') RETURNING id)
         INSERT INTO users (id, email) SELECT id, 'o@example.com' FROM a RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query_scalar("INSERT INTO campaigns (user_id, title, goal_stories) VALUES ($1, 'Dad', $2) RETURNING id")
        .bind(user)
        .bind(goal)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn words_on_insert(pool: &PgPool, campaign: uuid::Uuid, content: Option<&str>) -> i32 {
    sqlx::query_scalar("INSERT INTO stories (campaign_id, title, content) VALUES ($1, 't', $2) RETURNING word_count")
        .bind(campaign)
        .bind(content)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn word_count_is_set_on_insert_and_splits_on_any_whitespace(pool: PgPool) {
    let c = campaign(&pool, Some(10)).await;
    assert_eq!(words_on_insert(&pool, c, Some("one two three")).await, 3);
    assert_eq!(words_on_insert(&pool, c, Some("  one   two\tthree\nfour\r\n\n five  ")).await, 5);
    assert_eq!(words_on_insert(&pool, c, None).await, 0);
    assert_eq!(words_on_insert(&pool, c, Some("")).await, 0);
    assert_eq!(words_on_insert(&pool, c, Some(" \n\t ")).await, 0);
}

#[sqlx::test]
async fn word_count_and_updated_at_follow_updates(pool: PgPool) {
    let c = campaign(&pool, Some(10)).await;
    let id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO stories (campaign_id, title, content, updated_at)
         VALUES ($1, 't', 'a b', NOW() - interval '1 day') RETURNING id",
    )
    .bind(c)
    .fetch_one(&pool)
    .await
    .unwrap();
    let row = sqlx::query(
        "UPDATE stories SET content = E'once upon\\na time' WHERE id = $1
         RETURNING word_count, updated_at > NOW() - interval '1 minute' AS fresh",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row.get::<i32, _>("word_count"), 4);
    assert!(row.get::<bool, _>("fresh"));

    let blank: i32 = sqlx::query_scalar("UPDATE stories SET content = NULL WHERE id = $1 RETURNING word_count")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(blank, 0);
}

#[sqlx::test]
async fn campaign_stats_counts_stories_and_words(pool: PgPool) {
    let c = campaign(&pool, Some(4)).await;
    words_on_insert(&pool, c, Some("one two three")).await;
    words_on_insert(&pool, c, None).await;
    let row = sqlx::query("SELECT story_count, total_words, completion_percentage FROM campaign_stats WHERE id = $1")
        .bind(c)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("story_count"), 2);
    assert_eq!(row.get::<i64, _>("total_words"), 3);
    assert_eq!(row.get::<f64, _>("completion_percentage"), 50.0);
}

#[sqlx::test]
async fn campaign_stats_of_an_empty_campaign_is_zero_not_null(pool: PgPool) {
    let c = campaign(&pool, Some(10)).await;
    let row = sqlx::query("SELECT story_count, total_words, completion_percentage FROM campaign_stats WHERE id = $1")
        .bind(c)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("story_count"), 0);
    assert_eq!(row.get::<i64, _>("total_words"), 0);
    assert_eq!(row.get::<f64, _>("completion_percentage"), 0.0);
}

#[sqlx::test]
async fn campaign_stats_guards_a_missing_goal(pool: PgPool) {
    let c = campaign(&pool, None).await;
    words_on_insert(&pool, c, Some("a")).await;
    let pct: f64 = sqlx::query_scalar("SELECT completion_percentage FROM campaign_stats WHERE id = $1")
        .bind(c)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pct, 0.0);
}

#[sqlx::test]
async fn a_goal_below_one_is_refused(pool: PgPool) {
    let c = campaign(&pool, Some(10)).await;
    for goal in [0, -3] {
        let err = sqlx::query("UPDATE campaigns SET goal_stories = $2 WHERE id = $1")
            .bind(c)
            .bind(goal)
            .execute(&pool)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("check constraint"), "{err}");
    }
}

#[sqlx::test]
async fn every_foreign_key_column_is_indexed(pool: PgPool) {
    let unindexed: Vec<String> = sqlx::query_scalar(
        "SELECT c.conrelid::regclass::text || '.' || a.attname
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f'
           AND NOT EXISTS (
               SELECT 1 FROM pg_index i
               WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(unindexed.is_empty(), "foreign keys without an index: {unindexed:?}");
}

#[sqlx::test]
async fn every_table_with_user_data_has_row_level_security(pool: PgPool) {
    let without: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
           AND NOT relrowsecurity AND relname NOT IN ('_sqlx_migrations', 'jobs')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(without.is_empty(), "tables without RLS: {without:?}");
}

/// campaign_stats reads totals kept by triggers; they must equal counting the stories.
#[sqlx::test]
async fn campaign_stats_totals_follow_every_kind_of_write(pool: PgPool) {
    let a = campaign(&pool, Some(10)).await;
    let b: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO campaigns (user_id, title) SELECT user_id, 'Mum' FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(a)
    .fetch_one(&pool)
    .await
    .unwrap();
    let counted = "SELECT c.id, count(s.id), coalesce(sum(s.word_count), 0)::bigint, max(s.updated_at)
                   FROM campaigns c LEFT JOIN stories s ON s.campaign_id = c.id GROUP BY c.id ORDER BY c.id";
    let viewed = "SELECT id, story_count, total_words, latest_story_date FROM campaign_stats ORDER BY id";
    type Totals = Vec<(uuid::Uuid, i64, i64, Option<chrono::DateTime<chrono::Utc>>)>;
    let writes = [
        // Several stories in one statement, one dated in the past in the other campaign.
        ("INSERT INTO stories (campaign_id, title, content) SELECT $1, 'a' || g, repeat('word ', g) FROM generate_series(1, 6) g", a),
        (
            "INSERT INTO stories (campaign_id, title, content, created_at, updated_at)
             VALUES ($1, 'old', 'one two', NOW() - interval '2 days', NOW() - interval '2 days')",
            b,
        ),
        ("UPDATE stories SET content = 'now just three' WHERE title = 'a5' AND campaign_id = $1", a),
        // Moved to the other campaign: both totals change, the first's newest date is recomputed.
        ("UPDATE stories SET campaign_id = $1 WHERE title = 'a6'", b),
        ("DELETE FROM stories WHERE title IN ('a1', 'old') AND campaign_id <> $1", uuid::Uuid::nil()),
        ("UPDATE stories SET content = content || ' more' WHERE campaign_id = $1", a),
        ("DELETE FROM stories WHERE campaign_id = $1", b),
    ];
    for (sql, campaign) in writes {
        // Each write in its own transaction, so dates differ.
        sqlx::query(sql).bind(campaign).execute(&pool).await.unwrap();
        let expected: Totals = sqlx::query_as(counted).fetch_all(&pool).await.unwrap();
        let got: Totals = sqlx::query_as(viewed).fetch_all(&pool).await.unwrap();
        assert_eq!(got, expected, "after {sql}");
    }
    // A deleted campaign takes its totals (and its stories) with it.
    sqlx::query("DELETE FROM campaigns WHERE id = $1").bind(a).execute(&pool).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM campaign_story_totals").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 1, "only the second campaign's totals stay");
}

/// PostgreSQL never inlines a SECURITY DEFINER function, and one written in SQL has its body
/// planned again in every statement that calls it: a quarter of a millisecond per
/// campaign_role() call. The helpers policies and pages call are PL/pgSQL, planned once per
/// connection (migration 32).
#[sqlx::test]
async fn security_definer_helpers_are_planned_once_per_connection(pool: PgPool) {
    let replanned: Vec<String> = sqlx::query_scalar(
        "SELECT p.proname::text FROM pg_proc p
         JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname IN ('public', 'auth') AND p.prosecdef AND p.provolatile <> 'v' AND l.lanname = 'sql'
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(replanned.is_empty(), "SECURITY DEFINER functions in SQL: {replanned:?}");
}
