//! Two app servers (the real binary) against one database and one S3-compatible store
//! (moto): what one does, the other sees, and shared work happens once.
use std::time::{Duration, Instant};

use mystoryflow::api::auth::{CurrentUser, Login};
use mystoryflow::api::family::InviteMember;
use mystoryflow::model::story::PhotoView;
use sqlx::Connection;
use uuid::Uuid;

use crate::durability::{spawn, Server};

/// A fresh database on the test cluster (DATABASE_URL, as `scripts/test.sh` sets it).
async fn fresh_database() -> String {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test cluster");
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    let name = format!("msf_two_{}", Uuid::new_v4().simple());
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    conn.close().await.ok();
    let (before_query, query) = admin.split_once('?').unwrap_or((&admin, ""));
    let (server, _) = before_query.rsplit_once('/').unwrap();
    format!("{server}/{name}?{query}")
}

fn outbox_messages(server: &Server) -> usize {
    std::fs::read_dir(server.data.join("outbox")).into_iter().flatten().flatten().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_media_jobs_and_limits() {
    let database = fresh_database().await;
    let (_moto, endpoint) = crate::fixtures::moto("msf-two").await;
    let settings = [
        ("DATABASE_URL", database.as_str()),
        ("MSF_S3_BUCKET", "msf-two"),
        ("MSF_S3_ENDPOINT", endpoint.as_str()),
        ("MSF_S3_REGION", "us-east-1"),
        ("MSF_S3_ACCESS_KEY_ID", "test"),
        ("MSF_S3_SECRET_ACCESS_KEY", "test"),
    ];
    let (mut a, mut b) = (spawn(&settings).await, spawn(&settings).await);

    // A session made on one works on the other.
    a.sign_up("ann@example.com").await;
    b.cookie = a.cookie.clone();
    let me = b.call(CurrentUser {}).await.text().await.unwrap();
    assert!(me.contains("ann@example.com"), "{me}");

    // A photo stored through one is served by the other.
    let campaign_id = a.create_campaign("Dad's Life Stories").await;
    let uploaded = b.upload_photo(campaign_id).await;
    assert_eq!(uploaded.status(), 200);
    let photos: Vec<PhotoView> = uploaded.json().await.unwrap();
    let thumbnail = |server: &Server| {
        let request =
            server.http.get(format!("{}{}", server.base, photos[0].thumbnail_url)).header("cookie", &server.cookie);
        async move {
            let reply = request.send().await.unwrap();
            (
                reply.status().as_u16(),
                reply.headers()["content-type"].to_str().unwrap().to_owned(),
                reply.bytes().await.unwrap(),
            )
        }
    };
    let (from_a, from_b) = (thumbnail(&a).await, thumbnail(&b).await);
    assert_eq!((from_a.0, from_a.1.as_str()), (200, "image/jpeg"), "a thumbnail, not an error");
    assert!(!from_a.2.is_empty());
    assert_eq!(from_a, from_b);

    // An invitation email is queued once and sent once, by whichever worker claims it.
    let invited = a
        .call(InviteMember {
            campaign_id,
            email: "kim@example.com".into(),
            name: "Kim".into(),
            relationship: String::new(),
            role: "viewer".into(),
        })
        .await;
    assert_eq!(invited.status(), 200, "{}", invited.text().await.unwrap_or_default());
    let waiting = Instant::now();
    while outbox_messages(&a) + outbox_messages(&b) == 0 {
        assert!(waiting.elapsed() < Duration::from_secs(30), "the invitation was never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await; // time for a second worker to send it again
    assert_eq!(outbox_messages(&a) + outbox_messages(&b), 1, "sent exactly once");

    // Wrong passwords counted on both add up.
    for (n, server) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let wrong = Login { email: "ann@example.com".into(), password: format!("wrong {n}"), next: String::new() };
        assert_eq!(server.call(wrong).await.status(), 401);
    }
    let right =
        Login { email: "ann@example.com".into(), password: "a long enough password".into(), next: String::new() };
    assert_eq!(b.call(right).await.status(), 429, "the sixth attempt, on either server");
}
