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
