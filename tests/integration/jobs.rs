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
