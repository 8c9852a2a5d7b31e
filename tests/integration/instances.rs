//! Two app servers (the real binary) against one database and one S3-compatible store
//! (moto): what one does, the other sees, and shared work happens once.
use std::time::{Duration, Instant};

use mystoryflow::api::auth::{CurrentUser, Login, Signup};
use mystoryflow::api::campaigns::CreateCampaign;
use mystoryflow::api::family::InviteMember;
use mystoryflow::model::story::PhotoView;
use sqlx::Connection;
use uuid::Uuid;

use crate::durability::{id_in, spawn, Server};

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

async fn moto() -> (tokio::process::Child, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = tokio::process::Command::new(root.join(".venv/bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("scripts/setup.sh installs moto into .venv");
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if let Ok(reply) = client.put(format!("{endpoint}/msf-two")).send().await {
            assert!(reply.status().is_success(), "moto created the bucket");
            return (child, endpoint);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto never answered");
}

fn outbox_messages(server: &Server) -> usize {
    std::fs::read_dir(server.data.join("outbox")).into_iter().flatten().flatten().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_media_jobs_and_limits() {
    let database = fresh_database().await;
    let (_moto, endpoint) = moto().await;
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
    let reply = a
        .call(Signup {
            email: "ann@example.com".into(),
            name: "Ann".into(),
            password: "a long enough password".into(),
            next: String::new(),
            invitation: String::new(),
        })
        .await;
    assert_eq!(reply.status(), 200);
    a.cookie = reply.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    b.cookie = a.cookie.clone();
    let me = b.call(CurrentUser {}).await.text().await.unwrap();
    assert!(me.contains("ann@example.com"), "{me}");

    // A photo stored through one is served by the other.
    let reply = a
        .call(CreateCampaign {
            title: "Dad's Life Stories".into(),
            description: String::new(),
            storyteller_name: String::new(),
            storyteller_email: String::new(),
            relationship_type: String::new(),
            goal_stories: "10".into(),
        })
        .await;
    let campaign_id = id_in(reply.headers()["location"].to_str().unwrap(), "/campaigns/");
    let photo = std::fs::read("tests/fixtures/media/photo_orient6_gps.jpg").unwrap();
    let form =
        reqwest::multipart::Form::new().part("photos", reqwest::multipart::Part::bytes(photo).file_name("orchard.jpg"));
    let uploaded = b
        .http
        .post(format!("{}/media/campaigns/{campaign_id}/photos", b.base))
        .header("accept", "application/json")
        .header("cookie", &b.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
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
