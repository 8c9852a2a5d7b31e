//! Sign-up writes auth.users and users together, with an argon2id hash.
use mystoryflow::error::AppError;
use mystoryflow::server::db::{accounts, Db};
use sqlx::{PgPool, Row};

use crate::helpers::PASSWORD;

#[sqlx::test]
async fn sign_up_creates_the_auth_row_and_the_profile_row(pool: PgPool) {
    let db = Db::new(pool.clone());
    let form = accounts::SignUp::parse(" Ann@Example.com ", "  Ann Lee ", PASSWORD).unwrap();
    let user = accounts::sign_up(&db, form, false).await.unwrap();

    let auth = sqlx::query("SELECT email, encrypted_password FROM auth.users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(auth.get::<String, _>("email"), "ann@example.com");
    let hash: String = auth.get("encrypted_password");
    assert!(hash.starts_with("$argon2id$"), "not argon2id: {hash}");
    assert!(!hash.contains(PASSWORD));

    let profile = sqlx::query("SELECT email, name, subscription_status FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(profile.get::<String, _>("email"), "ann@example.com");
    assert_eq!(profile.get::<String, _>("name"), "Ann Lee");
    assert_eq!(profile.get::<String, _>("subscription_status"), "free");
}

#[sqlx::test]
async fn the_same_email_cannot_sign_up_twice_in_any_case(pool: PgPool) {
    let db = Db::new(pool.clone());
    let first = accounts::SignUp::parse("ann@example.com", "Ann", PASSWORD).unwrap();
    accounts::sign_up(&db, first, false).await.unwrap();

    let again = accounts::SignUp::parse("ANN@example.com", "Other Ann", PASSWORD).unwrap();
    let err = accounts::sign_up(&db, again, false).await.unwrap_err();
    assert!(err.field("email").is_some(), "{err:?}");

    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.users").fetch_one(&pool).await.unwrap();
    let profiles: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!((count, profiles), (1, 1));
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let err = accounts::SignUp::parse("not-an-email", "", "short").unwrap_err();
    let AppError::Validation(fields) = err else { panic!("expected validation") };
    let names: Vec<_> = fields.keys().map(String::as_str).collect();
    assert_eq!(names, ["email", "name", "password"]);
}

#[sqlx::test]
async fn a_profile_cannot_exist_without_its_auth_row(pool: PgPool) {
    let err = sqlx::query("INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'x@example.com')")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
}

/// The time zone and the story-email choice live in one typed users.preferences object: each
/// form changes its own field and keeps the other; a bad zone changes nothing.
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn preferences_are_one_object_each_form_keeping_the_other_field(pool: PgPool) {
    use http::StatusCode;
    use mystoryflow::api::account::{Account, SetStoryEmails, SetTimeZone};
    let app = crate::helpers::TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    let stored = || async {
        sqlx::query_scalar::<_, serde_json::Value>("SELECT preferences FROM users WHERE email = 'ann@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    let reply = app.call(SetTimeZone { time_zone: "Mars/Olympus".into() }, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Please choose a time zone"), "{}", reply.body);
    let before = stored().await;
    assert!(before.get("time_zone").is_none(), "{before}");

    assert_eq!(app.call(SetTimeZone { time_zone: " Europe/Rome ".into() }, Some(&ann)).await.status, StatusCode::OK);
    assert_eq!(app.call(SetStoryEmails { choice: "weekly".into() }, Some(&ann)).await.status, StatusCode::OK);
    assert_eq!(stored().await, serde_json::json!({"story_emails": "weekly", "time_zone": "Europe/Rome"}));
    let account: mystoryflow::model::Account =
        serde_json::from_str(&app.call(Account {}, Some(&ann)).await.body).unwrap();
    assert_eq!(account.preferences.time_zone.as_deref(), Some("Europe/Rome"));
    assert_eq!(account.preferences.story_emails, mystoryflow::model::StoryEmails::Weekly);

    // A new schedule starts in the person's zone.
    let campaign = crate::fixtures::create_campaign(&app, &ann, "Dad", "10").await;
    let reply = app
        .call(
            mystoryflow::api::questions::Questions {
                campaign_id: campaign,
                topic: String::new(),
                search: String::new(),
            },
            Some(&ann),
        )
        .await;
    let page: mystoryflow::model::question::QuestionsPage = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(page.your_time_zone.as_deref(), Some("Europe/Rome"));

    // Clearing it keeps the story emails.
    assert_eq!(app.call(SetTimeZone { time_zone: String::new() }, Some(&ann)).await.status, StatusCode::OK);
    assert_eq!(stored().await, serde_json::json!({"story_emails": "weekly"}));
}

/// A picture goes through the photo checks, is kept small and without EXIF, replaces the last
/// one, and is seen only by the people who share a campaign with its owner.
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_picture_is_checked_replaced_and_seen_only_by_the_family(pool: PgPool) {
    use http::StatusCode;
    use mystoryflow::api::account::{Account, RemoveAvatar};
    let app = crate::helpers::TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    let bob = app.logged_in("bob@example.com").await;
    let outsider = app.logged_in("outsider@example.com").await;
    let account = |cookie: String| {
        let app = &app;
        async move {
            serde_json::from_str::<mystoryflow::model::Account>(&app.call(Account {}, Some(&cookie)).await.body)
                .unwrap()
        }
    };

    let reply = app.upload("/media/avatar", "avatar", &[("me.jpg", b"MZ not a photo")], Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(account(ann.clone()).await.avatar_url, None);
    assert_eq!(app.upload("/media/avatar", "avatar", &[("me.jpg", b"x")], None).await.status, StatusCode::UNAUTHORIZED);

    let photo = crate::fixtures::media_file("photo_orient6_gps.jpg");
    assert!(app.upload("/media/avatar", "avatar", &[("me.jpg", &photo)], Some(&ann)).await.status.is_success());
    let first = account(ann.clone()).await.avatar_url.expect("a picture");
    let (status, _, bytes) = app.get_bytes(&first, Some(&ann), None).await;
    assert_eq!(status, StatusCode::OK);
    let image = image::load_from_memory(&bytes).unwrap();
    assert!(image.width().max(image.height()) <= 480, "kept small");
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF (the fixture has GPS)");

    // Bob sees it once they share a campaign; the outsider never does.
    assert_eq!(app.get_bytes(&first, Some(&bob), None).await.0, StatusCode::NOT_FOUND);
    let campaign = crate::fixtures::create_campaign(&app, &ann, "Dad", "10").await;
    crate::fixtures::add_members(&pool, campaign, &[("bob", "viewer", "active")]).await;
    assert_eq!(app.get_bytes(&first, Some(&bob), None).await.0, StatusCode::OK);
    assert_eq!(app.get_bytes(&first, Some(&outsider), None).await.0, StatusCode::NOT_FOUND);

    // A new one replaces it (the old file is gone); removing it clears it.
    assert!(app.upload("/media/avatar", "avatar", &[("me2.jpg", &photo)], Some(&ann)).await.status.is_success());
    let second = account(ann.clone()).await.avatar_url.unwrap();
    assert_ne!(first, second);
    let old_key = mystoryflow::server::keys::avatar_from_url(&first).unwrap();
    assert!(!app.state.storage.exists(&old_key).await);
    assert_eq!(app.get_bytes(&first, Some(&ann), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.call(RemoveAvatar {}, Some(&ann)).await.status, StatusCode::OK);
    assert_eq!(account(ann.clone()).await.avatar_url, None);
    let key = mystoryflow::server::keys::avatar_from_url(&second).unwrap();
    assert!(!app.state.storage.exists(&key).await);
}
