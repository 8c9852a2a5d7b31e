//! The job queue: claims never overlap, failures back off, and give up at max_attempts.
use mystoryflow::server::db::{jobs, Db};
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test]
async fn two_workers_never_claim_the_same_job(pool: PgPool) {
    let kinds = vec!["mail".to_owned()];
    let db = Db::new(pool.clone());
    let a = jobs::enqueue(&db, "mail", json!({"n": 1})).await.unwrap();
    let b = jobs::enqueue(&db, "mail", json!({"n": 2})).await.unwrap();
    jobs::enqueue(&db, "other", json!({})).await.unwrap();

    let (first, second) = tokio::join!(jobs::claim(&db, &kinds), jobs::claim(&db, &kinds));
    let mut ids = vec![first.unwrap().unwrap().id, second.unwrap().unwrap().id];
    ids.sort();
    assert_eq!(ids, vec![a, b]);
    assert!(jobs::claim(&db, &kinds).await.unwrap().is_none(), "other kinds are not claimed");
}

#[sqlx::test]
async fn a_failed_job_is_retried_later_then_given_up(pool: PgPool) {
    let kinds = vec!["mail".to_owned()];
    let db = Db::new(pool.clone());
    let id = jobs::enqueue(&db, "mail", json!({})).await.unwrap();
    sqlx::query("UPDATE jobs SET max_attempts = 2 WHERE id = $1").bind(id).execute(&pool).await.unwrap();

    let job = jobs::claim(&db, &kinds).await.unwrap().unwrap();
    jobs::fail(&db, &job, "smtp down").await.unwrap();
    let (status, later): (String, bool) = sqlx::query_as("SELECT status, run_at > NOW() FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((status.as_str(), later), ("queued", true));
    assert!(jobs::claim(&db, &kinds).await.unwrap().is_none(), "not before its backoff");

    sqlx::query("UPDATE jobs SET run_at = NOW() WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    let job = jobs::claim(&db, &kinds).await.unwrap().unwrap();
    assert_eq!(job.attempts, 2);
    jobs::fail(&db, &job, "smtp still down").await.unwrap();
    let (status, error): (String, String) =
        sqlx::query_as("SELECT status, last_error FROM jobs WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((status.as_str(), error.as_str()), ("failed", "smtp still down"));
}

#[sqlx::test]
async fn a_completed_job_is_not_claimed_again(pool: PgPool) {
    let kinds = vec!["mail".to_owned()];
    let db = Db::new(pool.clone());
    jobs::enqueue(&db, "mail", json!({})).await.unwrap();
    let job = jobs::claim(&db, &kinds).await.unwrap().unwrap();
    jobs::complete(&db, job.id).await.unwrap();
    assert!(jobs::claim(&db, &kinds).await.unwrap().is_none());
}

#[sqlx::test]
async fn a_job_that_kills_its_worker_is_not_retried_forever(pool: PgPool) {
    let kinds = vec!["render".to_owned()];
    let db = Db::new(pool.clone());
    let id = jobs::enqueue_with_attempts(&db, "render", json!({}), 2).await.unwrap();
    let die = || async {
        // The worker claimed it and died: the job stays "running" until it looks stale.
        sqlx::query("UPDATE jobs SET locked_at = NOW() - interval '1 hour' WHERE id = $1")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    };
    assert_eq!(jobs::claim(&db, &kinds).await.unwrap().unwrap().attempts, 1);
    die().await;
    assert_eq!(jobs::claim(&db, &kinds).await.unwrap().unwrap().attempts, 2, "a crash is retried");
    die().await;
    assert!(jobs::claim(&db, &kinds).await.unwrap().is_none(), "but not past max_attempts");
    let (status, error): (String, String) =
        sqlx::query_as("SELECT status, last_error FROM jobs WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "failed");
    assert!(error.contains("worker stopped"), "{error}");
}

#[sqlx::test]
async fn a_sent_message_leaves_no_link_in_the_queue_and_old_jobs_go(pool: PgPool) {
    use mystoryflow::server::mail::{self, Mailer};
    let db = Db::new(pool.clone());
    let outbox = std::env::temp_dir().join(format!("msf-outbox-{}", uuid::Uuid::new_v4()));
    let mailer = Mailer::new(None, &outbox, "MyStoryFlow <hello@example.com>").unwrap();
    let id = jobs::enqueue(
        &db,
        "mail",
        json!({"to": "kim@example.com", "subject": "Join us", "text": "Open http://x/invitations/SECRET", "html": "<p>Open</p>"}),
    )
    .await
    .unwrap();
    assert!(mail::run_once(&db, &mailer).await.unwrap());
    let (status, payload): (String, serde_json::Value) =
        sqlx::query_as("SELECT status, payload FROM jobs WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "done");
    assert_eq!(payload, json!({}), "the token-bearing text is gone once sent");
    std::fs::remove_dir_all(&outbox).ok();

    let failed = jobs::enqueue(&db, "other", json!({})).await.unwrap();
    sqlx::query("UPDATE jobs SET status = 'failed', finished_at = NOW() - interval '8 days' WHERE id = $1")
        .bind(failed)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET finished_at = NOW() - interval '8 days' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(jobs::purge_finished(&db, 7, 30).await.unwrap(), 1, "only the week-old done job");
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM jobs").fetch_all(&pool).await.unwrap();
    assert_eq!(left, vec![failed], "failed jobs stay longer");
}
