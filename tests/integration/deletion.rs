//! Deleting an account: seven days of grace that a login cancels, then every row and file of
//! the person's own campaigns gone, and other families keeping what the person gave them.
use http::StatusCode;
use mystoryflow::api::account::{Account, DeleteMyAccount, DeletionPreview};
use mystoryflow::api::family::{AddComment, SetHeart};
use mystoryflow::api::stories::{SetStoryStatus, Stories, Story};
use mystoryflow::server::deletion;
use mystoryflow::urls;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{add_members, create_campaign, create_story, media_file};
use crate::helpers::{TestApp, PASSWORD};

async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(pool).await.unwrap()
}

async fn mails_to(pool: &PgPool, subject: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'ann@example.com' AND payload->>'subject' = $1",
    )
    .bind(subject)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Makes every due thing due now: the grace period is over.
async fn seven_days_pass(pool: &PgPool) {
    sqlx::query("UPDATE users SET delete_after = now() - interval '1 second' WHERE delete_after IS NOT NULL")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET run_at = now() - interval '1 second' WHERE status = 'queued'")
        .execute(pool)
        .await
        .unwrap();
}

async fn run_jobs(app: &TestApp) {
    while deletion::run_once(&app.state.db, &app.state.storage).await.unwrap() {}
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_deleted_account_takes_its_campaigns_and_leaves_other_families_their_stories(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    let bob = app.logged_in("bob@example.com").await;
    let ann_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ann@example.com'").fetch_one(&pool).await.unwrap();

    // Ann's own campaign: a story with a recording and a photo, and Bob writing in it too.
    let own = create_campaign(&app, &ann, "Ann's Dad", "10").await;
    let story = create_story(&app, &ann, own, "The mill").await;
    let speech = media_file("speech.wav");
    assert!(app
        .upload(&urls::story_audio(own, story), "audio", &[("a.wav", &speech)], Some(&ann))
        .await
        .status
        .is_success());
    let photo = media_file("photo_orient6_gps.jpg");
    let reply = app.upload(&urls::photo_upload_for_story(own, story), "photos", &[("p.jpg", &photo)], Some(&ann)).await;
    assert!(reply.status.is_success());
    add_members(&pool, own, &[("bob", "contributor", "active")]).await;
    create_story(&app, &bob, own, "Bob's visit to the mill").await;

    // Bob's campaign: Ann writes a story, adds a photo, comments and hearts.
    let theirs = create_campaign(&app, &bob, "Grandpa Joe", "10").await;
    add_members(&pool, theirs, &[("ann", "contributor", "active")]).await;
    let anns_there = create_story(&app, &ann, theirs, "What Ann remembers").await;
    let bobs_there = create_story(&app, &bob, theirs, "Joe's boat").await;
    let reply =
        app.upload(&urls::photo_upload_for_story(theirs, anns_there), "photos", &[("j.jpg", &photo)], Some(&ann)).await;
    assert!(reply.status.is_success());
    let body = "Lovely".to_owned();
    assert_eq!(
        app.call(AddComment { campaign_id: theirs, story_id: bobs_there, body }, Some(&ann)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(SetHeart { campaign_id: theirs, story_id: bobs_there, on: true }, Some(&ann)).await.status,
        StatusCode::OK
    );

    // The page lists exactly what will happen.
    let reply = app.call(DeletionPreview {}, Some(&ann)).await;
    let preview: mystoryflow::model::account::DeletionPreview = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(preview.owned.len(), 1);
    assert_eq!((preview.owned[0].id, preview.owned[0].stories, preview.owned[0].other_members), (own, 2, 1));
    assert_eq!(preview.elsewhere.len(), 1);
    assert_eq!((preview.elsewhere[0].title.as_str(), preview.elsewhere[0].stories), ("Grandpa Joe", 1));

    // A wrong password changes nothing.
    let reply = app.call(DeleteMyAccount { current_password: "not it".into() }, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM users WHERE id = $1 AND delete_after IS NULL", ann_id).await, 1);

    // Asked for: every session ends, an email gives the date, nothing is deleted yet.
    let other_session = app.logged_in("ann@example.com").await;
    let reply = app.call(DeleteMyAccount { current_password: PASSWORD.into() }, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for cookie in [&ann, &other_session] {
        assert_eq!(app.call(Account {}, Some(cookie)).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(mails_to(&pool, "Your MyStoryFlow account will be deleted").await, 1);
    // Leaving means no more family emails, even during the grace period.
    let to_ann =
        "SELECT count(*) FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'ann@example.com' AND $1::uuid IS NOT NULL";
    let before = count(&pool, to_ann, ann_id).await;
    let finish = SetStoryStatus { campaign_id: theirs, story_id: bobs_there, status: "completed".into() };
    assert_eq!(app.call(finish, Some(&bob)).await.status, StatusCode::OK);
    assert_eq!(count(&pool, to_ann, ann_id).await, before, "no story email to someone leaving");
    run_jobs(&app).await;
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaigns WHERE id = $1", own).await,
        1,
        "not before the grace period ends"
    );

    // Logging in during the grace period cancels it, and the job then finds nothing to do.
    let ann = app.logged_in("ann@example.com").await;
    assert_eq!(app.call(Account {}, Some(&ann)).await.status, StatusCode::OK);
    assert_eq!(mails_to(&pool, "Your MyStoryFlow account will not be deleted").await, 1);
    seven_days_pass(&pool).await;
    run_jobs(&app).await;
    assert_eq!(count(&pool, "SELECT count(*) FROM users WHERE id = $1", ann_id).await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE campaign_id = $1", own).await, 2);

    // Asked again, and this time the seven days pass.
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT metadata->>'audio_key' FROM stories WHERE campaign_id = $1 AND metadata ? 'audio_key'
         UNION ALL SELECT 'campaigns/' || campaign_id || '/photos/' || id || '/' || v
         FROM photos, unnest(ARRAY['original', 'display', 'thumb']) AS v WHERE campaign_id = $1",
    )
    .bind(own)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(keys.len(), 4);
    for key in &keys {
        assert!(app.state.storage.exists(key).await, "{key}");
    }
    let reply = app.call(DeleteMyAccount { current_password: PASSWORD.into() }, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    seven_days_pass(&pool).await;
    run_jobs(&app).await;

    // Every row and file of Ann's own campaign is gone.
    for sql in [
        "SELECT count(*) FROM campaigns WHERE id = $1",
        "SELECT count(*) FROM stories WHERE campaign_id = $1",
        "SELECT count(*) FROM photos WHERE campaign_id = $1",
        "SELECT count(*) FROM family_members WHERE campaign_id = $1",
        "SELECT count(*) FROM story_photos sp JOIN photos p ON p.id = sp.photo_id WHERE p.campaign_id = $1",
    ] {
        assert_eq!(count(&pool, sql, own).await, 0, "{sql}");
    }
    for key in &keys {
        assert!(!app.state.storage.exists(key).await, "{key} was removed");
    }
    assert!(!app.state.storage.any_under(&format!("campaigns/{own}")).await.unwrap());
    for sql in [
        "SELECT count(*) FROM auth.users WHERE id = $1",
        "SELECT count(*) FROM users WHERE id = $1",
        "SELECT count(*) FROM family_members WHERE user_id = $1",
        "SELECT count(*) FROM story_hearts WHERE user_id = $1",
        "SELECT count(*) FROM stories WHERE created_by = $1",
    ] {
        assert_eq!(count(&pool, sql, ann_id).await, 0, "{sql}");
    }
    assert_eq!(
        app.log_in("ann@example.com", PASSWORD, None, crate::helpers::Client::Script).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Bob's family keeps Ann's story (by a former member), her photo and her comment.
    let reply = app.call(Stories { campaign_id: theirs }, Some(&bob)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let kept = list["stories"].as_array().unwrap().iter().find(|s| s["title"] == "What Ann remembers").expect("kept");
    assert_eq!(kept["author"], "a former member");
    let reply = app.call(Story { campaign_id: theirs, story_id: anns_there }, Some(&bob)).await;
    let detail: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(detail["author"], "a former member");
    assert_eq!(count(&pool, "SELECT count(*) FROM photos WHERE campaign_id = $1", theirs).await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM story_comments WHERE story_id = $1 AND user_id IS NULL", bobs_there).await,
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE campaign_id = $1", theirs).await, 2);
    let photo_key: String = sqlx::query_scalar(
        "SELECT 'campaigns/' || campaign_id || '/photos/' || id || '/original' FROM photos WHERE campaign_id = $1",
    )
    .bind(theirs)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(app.state.storage.exists(&photo_key).await, "the photo Ann gave Bob's family stays");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_sign_in_by_emailed_link_stands_in_for_the_password(pool: PgPool) {
    use mystoryflow::api::auth::{EmailMeALink, SignInWithLink};
    let app = TestApp::new(pool.clone()).await;
    // Signed in with the password: an empty password is refused, nothing changes.
    let by_password = app.logged_in("ann@example.com").await;
    let reply = app.call(DeletionPreview {}, Some(&by_password)).await;
    assert!(reply.body.contains(r#""signed_in_by_link":false"#), "{}", reply.body);
    let reply = app.call(DeleteMyAccount { current_password: String::new() }, Some(&by_password)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let pending = "SELECT count(*) FROM users WHERE email = 'ann@example.com' AND delete_after IS NOT NULL";
    assert_eq!(sqlx::query_scalar::<_, i64>(pending).fetch_one(&pool).await.unwrap(), 0);

    // Signed in from the emailed link: the page asks for no password, and none is needed.
    let asked = app.call(EmailMeALink { email: "ann@example.com".into(), purpose: "sign_in".into() }, None).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let link: String = sqlx::query_scalar(
        "SELECT payload->>'link' FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'ann@example.com' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let token = link.rsplit('/').next().unwrap().to_owned();
    let reply = app.post_raw::<SignInWithLink>(&[("token", &token)], None).await;
    let by_link = reply.session_cookie().expect("signed in");
    let reply = app.call(DeletionPreview {}, Some(&by_link)).await;
    assert!(reply.body.contains(r#""signed_in_by_link":true"#), "{}", reply.body);
    let reply = app.call(DeleteMyAccount { current_password: String::new() }, Some(&by_link)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(sqlx::query_scalar::<_, i64>(pending).fetch_one(&pool).await.unwrap(), 1);
}
