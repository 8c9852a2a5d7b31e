//! Shared setup: the people of tests/fixtures/users.sql logged in, a family campaign, stories,
//! media files. A test that uses these declares the SQL fixture:
//! `#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]`.
use http::StatusCode;
use mystoryflow::api::{campaigns::CreateCampaign, stories};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Reply, TestApp};

/// A file of tests/fixtures/media.
pub fn media_file(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)).unwrap()
}

pub struct Family {
    pub campaign: Uuid,
    pub owner: String,
    pub contributor: String,
    pub viewer: String,
    pub outsider: String,
}

/// A campaign with an owner, a contributor and a viewer, plus an outsider: each one's
/// session cookie.
pub async fn family(app: &TestApp, pool: &PgPool) -> Family {
    let owner = app.logged_in("owner@example.com").await;
    let contributor = app.logged_in("contributor@example.com").await;
    let viewer = app.logged_in("viewer@example.com").await;
    let outsider = app.logged_in("outsider@example.com").await;
    let campaign = create_campaign(app, &owner, "Dad's Life Stories", "10").await;
    add_members(pool, campaign, &[("contributor", "contributor", "active"), ("viewer", "viewer", "active")]).await;
    Family { campaign, owner, contributor, viewer, outsider }
}

/// Every kind of visitor the authorization matrices try, in this order: the family's owner,
/// contributor and viewer, `invited` and `inactive` (contributors who have not joined, or
/// were deactivated: made members of `f.campaign` here), the outsider and an anonymous
/// visitor; each with their session cookie.
pub async fn visitors(app: &TestApp, pool: &PgPool, f: &Family) -> Vec<(&'static str, Option<String>)> {
    add_members(pool, f.campaign, &[("invited", "contributor", "invited"), ("inactive", "contributor", "inactive")])
        .await;
    vec![
        ("owner", Some(f.owner.clone())),
        ("contributor", Some(f.contributor.clone())),
        ("viewer", Some(f.viewer.clone())),
        ("invited", Some(app.logged_in("invited@example.com").await)),
        ("inactive", Some(app.logged_in("inactive@example.com").await)),
        ("outsider", Some(f.outsider.clone())),
        ("anonymous", None),
    ]
}

/// Makes each `(who, role, status)` a member of `campaign`: `who@example.com` must have an
/// account already.
pub async fn add_members(pool: &PgPool, campaign: Uuid, members: &[(&str, &str, &str)]) {
    for (who, role, status) in members {
        sqlx::query(
            "INSERT INTO family_members (campaign_id, user_id, email, role, status)
             SELECT $1, id, email, $2, $3 FROM users WHERE email = $4",
        )
        .bind(campaign)
        .bind(role)
        .bind(status)
        .bind(format!("{who}@example.com"))
        .execute(pool)
        .await
        .unwrap();
    }
}

/// A campaign created through the app (so its creator is its owner); its id.
pub async fn create_campaign(app: &TestApp, cookie: &str, title: &str, goal_stories: &str) -> Uuid {
    let reply = app
        .call(
            CreateCampaign {
                title: title.into(),
                description: String::new(),
                storyteller_name: String::new(),
                storyteller_email: String::new(),
                relationship_type: String::new(),
                goal_stories: goal_stories.into(),
            },
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let location = reply.header("location").expect("redirect to the new campaign");
    location.trim_start_matches("/campaigns/").parse().unwrap()
}

/// A story created through the app, in the "childhood" category; its id.
pub async fn create_story(app: &TestApp, cookie: &str, campaign: Uuid, title: &str) -> Uuid {
    let reply = app
        .call(
            stories::CreateStory {
                campaign_id: campaign,
                title: title.into(),
                category: "childhood".into(),
                custom_category: String::new(),
            },
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let location = reply.header("location").expect("redirect to the editor");
    location.trim_end_matches("/edit").rsplit('/').next().unwrap().parse().unwrap()
}

/// Saves `content` over `version` (titled "A story", in "childhood"): the reply's status and
/// body.
pub async fn save(
    app: &TestApp,
    cookie: &str,
    campaign: Uuid,
    story: Uuid,
    version: i32,
    content: &str,
) -> (StatusCode, String) {
    let args = stories::SaveStory {
        campaign_id: campaign,
        story_id: story,
        version,
        title: "A story".into(),
        content: content.into(),
        category: "childhood".into(),
        custom_category: String::new(),
        overwrite: false,
    };
    let Reply { status, body, .. } = app.call(args, Some(cookie)).await;
    (status, body)
}

/// moto's S3 server from the project's venv on a free port, with `bucket` created; returns
/// the process (killed when dropped) and its address.
pub async fn moto(bucket: &str) -> (tokio::process::Child, String) {
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
        if let Ok(reply) = client.put(format!("{endpoint}/{bucket}")).send().await {
            assert!(reply.status().is_success(), "moto created the bucket");
            return (child, endpoint);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto never answered");
}
