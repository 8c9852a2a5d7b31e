//! Rate limits, the argon2 bound's callers, session cycling, statement timeouts and the
//! link-signing key kept in the database.
use axum::body::Body;
use http::{header, Request, StatusCode};
use mystoryflow::api::auth::{Login, Signup};
use mystoryflow::server::db::{self, Db};
use mystoryflow::server::notify::Signer;
use sqlx::PgPool;

use crate::helpers::{Reply, TestApp, PASSWORD};

/// A server function call as the app's script makes it, from client address `ip`.
async fn call_from<F>(app: &TestApp, args: F, ip: &str, cookie: Option<&str>) -> Reply
where
    F: leptos::server_fn::ServerFn + serde::Serialize,
{
    let mut req = Request::post(F::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-test-client-ip", ip);
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    app.send(req.body(Body::from(serde_qs::to_string(&args).unwrap())).unwrap()).await
}

async fn sign_up(app: &TestApp, email: &str, ip: &str) -> Reply {
    let args = Signup {
        email: email.into(),
        name: "Test Person".into(),
        password: PASSWORD.into(),
        next: String::new(),
        invitation: String::new(),
    };
    call_from(app, args, ip, None).await
}

async fn log_in(app: &TestApp, email: &str, password: &str, ip: &str, cookie: Option<&str>) -> Reply {
    call_from(app, Login { email: email.into(), password: password.into(), next: String::new() }, ip, cookie).await
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_sixth_wrong_password_for_an_account_is_refused_even_when_right(pool: PgPool) {
    let app = TestApp::new(pool).await;
    for attempt in 0..5 {
        // From different addresses: only the account's limit applies.
        let reply = log_in(&app, "ann@example.com", "wrong password", &format!("10.1.0.{attempt}"), None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}: {}", reply.body);
    }
    let reply = log_in(&app, "ANN@example.com", PASSWORD, "10.2.0.1", None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
    assert!(reply.body.contains("wait a minute"), "{}", reply.body);
    assert!(reply.session_cookie().is_none(), "not logged in");
    let other = log_in(&app, "bob@example.com", PASSWORD, "10.2.0.1", None).await;
    assert_eq!(other.status, StatusCode::OK, "another account is not locked: {}", other.body);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_sixth_wrong_password_from_one_address_is_refused(pool: PgPool) {
    let app = TestApp::new(pool).await;
    for n in 0..5 {
        let reply = log_in(&app, &format!("guess{n}@example.com"), "wrong password", "10.9.9.9", None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = log_in(&app, "ann@example.com", PASSWORD, "10.9.9.9", None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
    assert!(reply.body.contains("from this network"), "{}", reply.body);
    assert_eq!(log_in(&app, "ann@example.com", PASSWORD, "10.9.9.10", None).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn sign_ups_from_one_address_are_limited(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for n in 0..10 {
        assert_eq!(sign_up(&app, &format!("p{n}@example.com"), "10.3.3.3").await.status, StatusCode::OK);
    }
    let reply = sign_up(&app, "p10@example.com", "10.3.3.3").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
    let made: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'p10@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(made, 0, "nothing is half-made");
    assert_eq!(sign_up(&app, "p10@example.com", "10.3.3.4").await.status, StatusCode::OK);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn logging_in_again_gives_the_session_a_new_id(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let first = app.logged_in("ann@example.com").await;
    let again = log_in(&app, "ann@example.com", PASSWORD, "10.0.0.1", Some(&first)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let second = again.session_cookie().expect("a new session cookie");
    assert_ne!(first, second);
    let who = |cookie: String| {
        let app = &app;
        async move { app.call(mystoryflow::api::auth::CurrentUser {}, Some(&cookie)).await.body }
    };
    assert!(who(second).await.contains("ann@example.com"));
    assert_eq!(who(first).await, "null", "the old id no longer works");
}

#[sqlx::test]
async fn a_members_statement_cannot_run_for_minutes(pool: PgPool) {
    let mut tx = pool.begin().await.unwrap();
    db::act_as(&mut tx, uuid::Uuid::new_v4()).await.unwrap();
    let timeout: String =
        sqlx::query_scalar("SELECT current_setting('statement_timeout')").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(timeout, db::USER_STATEMENT_TIMEOUT);
    sqlx::query("SET LOCAL statement_timeout = '50ms'").execute(&mut *tx).await.unwrap();
    let err = sqlx::query("SELECT pg_sleep(1)").execute(&mut *tx).await.unwrap_err();
    assert!(err.to_string().contains("statement timeout"), "{err}");
}

#[sqlx::test]
async fn a_members_transaction_starts_as_them_with_the_timeout(pool: PgPool) {
    let db = Db::new(pool);
    let user = uuid::Uuid::new_v4();
    let mut tx = db.begin_as(user).await.unwrap();
    let (role, uid, timeout) = tx.settings().await.unwrap();
    assert_eq!((role.as_str(), uid, timeout.as_str()), ("authenticated", Some(user), db::USER_STATEMENT_TIMEOUT));
}

/// A page's transaction (`begin_reading_as`) refuses writes, and its `commit` sends no
/// COMMIT: the ROLLBACK goes with the pool's check of the connection, which then serves the
/// next user outside any transaction, as the server's own role.
#[sqlx::test]
async fn a_read_refuses_writes_and_leaves_a_clean_connection(pool: PgPool) {
    use mystoryflow::model::campaign::CampaignInput;
    let user: uuid::Uuid = sqlx::query_scalar(
        "WITH a AS (INSERT INTO auth.users (email, encrypted_password) VALUES ('reader@example.com', 'x') RETURNING id)
         INSERT INTO users (id, email, name) SELECT id, 'reader@example.com', 'Reader' FROM a RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let one = db::pool_options(1).connect_with((*pool.connect_options()).clone()).await.unwrap();
    let db = Db::new(one.clone());
    let input = CampaignInput {
        title: "Dad's stories".into(),
        description: None,
        storyteller_name: None,
        storyteller_email: None,
        relationship_type: None,
        goal_stories: 10,
    };

    let mut tx = db.begin_reading_as(user).await.unwrap();
    assert!(db::campaigns::create(&mut tx, &input).await.is_err(), "a read wrote a campaign");
    drop(tx);
    let mut tx = db.begin_reading_as(user).await.unwrap();
    assert_eq!(db::campaigns::dashboard(&mut tx, None).await.unwrap().len(), 0);
    tx.commit().await.unwrap();
    let (own_role, read_only): (bool, String) =
        sqlx::query_as("SELECT current_user = session_user, current_setting('transaction_read_only')")
            .fetch_one(&one)
            .await
            .unwrap();
    assert_eq!((own_role, read_only.as_str()), (true, "off"), "the connection came back inside the read");

    // The same call in a member's ordinary transaction writes: the refusal above is the read's.
    let mut tx = db.begin_as(user).await.unwrap();
    db::campaigns::create(&mut tx, &input).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin_reading_as(user).await.unwrap();
    assert_eq!(db::campaigns::dashboard(&mut tx, None).await.unwrap().len(), 1);
}

/// A request dropped while its transaction was starting (the browser went away) must not
/// leave the connection inside that transaction, acting as that member, for the next user.
#[sqlx::test]
async fn a_transaction_cancelled_while_starting_leaves_a_clean_connection(pool: PgPool) {
    let one = db::pool_options(1).connect_with((*pool.connect_options()).clone()).await.unwrap();
    let db = Db::new(one.clone());
    let member = uuid::Uuid::new_v4();
    for polls in 0..20 {
        while one.num_idle() == 0 {
            tokio::task::yield_now().await;
        }
        // Dropped after `polls` turns: at 0 right after BEGIN went out, before its answer.
        tokio::select! {
            biased;
            tx = db.begin_as(member) => drop(tx),
            _ = async { for _ in 0..polls { tokio::task::yield_now().await } } => {}
        }
        let mut conn = one.acquire().await.unwrap();
        let now = "SELECT current_user::text, now()";
        let (role, first): (String, chrono::DateTime<chrono::Utc>) =
            sqlx::query_as(now).fetch_one(&mut *conn).await.unwrap();
        sqlx::query("SELECT pg_sleep(0.001)").execute(&mut *conn).await.unwrap();
        let (_, second): (String, chrono::DateTime<chrono::Utc>) =
            sqlx::query_as(now).fetch_one(&mut *conn).await.unwrap();
        assert_eq!(role, "postgres", "after cancelling at poll {polls}");
        assert_ne!(first, second, "still inside a transaction after cancelling at poll {polls}");
    }
}

#[sqlx::test]
async fn members_cannot_read_server_secrets_or_rate_limits(pool: PgPool) {
    for sql in ["SELECT 1 FROM server_secrets", "SELECT 1 FROM rate_limit_hits"] {
        let mut tx = pool.begin().await.unwrap();
        db::act_as(&mut tx, uuid::Uuid::new_v4()).await.unwrap();
        let err = sqlx::query(sql).execute(&mut *tx).await.unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{sql}: {err}");
    }
}

#[sqlx::test]
async fn the_link_key_lives_in_the_database_and_survives_a_lost_file(pool: PgPool) {
    let db = Db::new(pool.clone());
    let dir = std::env::temp_dir().join(format!("msf-key-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    // An older install's key file is adopted, so its printed links keep working.
    std::fs::write(dir.join("secret.key"), [9u8; 32]).unwrap();
    let user = uuid::Uuid::new_v4();
    let adopted = Signer::load(None, &db, &dir).await.unwrap();
    assert_eq!(
        adopted.sign(mystoryflow::server::signing::Purpose::Unsubscribe, user),
        Signer::new([9; 32]).sign(mystoryflow::server::signing::Purpose::Unsubscribe, user)
    );
    // The file is lost (or another instance starts elsewhere): the same key.
    std::fs::remove_dir_all(&dir).unwrap();
    let other_dir = std::env::temp_dir().join(format!("msf-key-{}", uuid::Uuid::new_v4()));
    let again = Signer::load(None, &db, &other_dir).await.unwrap();
    let token = again.sign(mystoryflow::server::signing::Purpose::Unsubscribe, user);
    assert_eq!(adopted.unsubscriber(&token).map(|u| u.user_id()), Some(user));
    assert!(!other_dir.join("secret.key").exists(), "no file is written any more");
    // MSF_SECRET_KEY still wins when set.
    let from_env = Signer::load(Some(&"ab".repeat(32)), &db, &other_dir).await.unwrap();
    assert!(from_env.unsubscriber(&token).is_none());
}

#[sqlx::test]
async fn pages_allow_only_their_own_scripts(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let page = app.get("/", None).await;
    let policy = page.header("content-security-policy").expect("a policy");
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{policy}");
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    let inline_scripts = page.body.matches("<script>").count() + page.body.matches("<script type=\"module\">").count();
    assert_eq!(inline_scripts, 0, "every inline script carries the nonce: {}", page.body);
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "{}", page.body);
    let again = app.get("/", None).await.header("content-security-policy").unwrap();
    assert_ne!(again, policy, "a new nonce for every response");
    let media = app.get("/healthz", None).await;
    assert!(media.header("content-security-policy").is_some_and(|p| !p.contains("nonce")));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_upload_that_would_pass_the_storage_quota_is_refused(pool: PgPool) {
    use mystoryflow::server::limits::Quota;
    let photo = crate::fixtures::media_file("photo_orient6_gps.jpg");
    let size = photo.len() as i64;
    // Room for two photos in the campaign; the owner's allowance is larger.
    let app = TestApp::with_quota(
        pool.clone(),
        Quota { per_campaign: 2 * size + size / 2, per_owner: 10 * size, tiers: Default::default() },
    )
    .await;
    let f = crate::fixtures::family(&app, &pool).await;
    let path = format!("/media/campaigns/{}/photos", f.campaign);
    for n in 0..2 {
        let reply = app.upload(&path, "photos", &[(&format!("p{n}.jpg"), &photo)], Some(&f.contributor)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let refused = app.upload(&path, "photos", &[("p2.jpg", &photo)], Some(&f.contributor)).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", refused.body);
    assert!(refused.body.contains("no room for this file"), "{}", refused.body);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM photos").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 2, "nothing stored for the refused upload");

    // The owner's account page shows what their campaigns use.
    let account = app.call(mystoryflow::api::account::Account {}, Some(&f.owner)).await;
    let account: mystoryflow::model::Account = serde_json::from_str(&account.body).unwrap();
    assert_eq!(account.storage.used_bytes, 2 * size);
    assert_eq!(account.storage.limit_bytes, 10 * size);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_endless_upload_is_cut_off_at_the_body_limit(pool: PgPool) {
    use mystoryflow::server::http::UPLOAD_BODY_LIMIT;
    let app = TestApp::new(pool.clone()).await;
    let f = crate::fixtures::family(&app, &pool).await;
    let boundary = "msf-endless";
    let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"padding\"\r\n\r\n");
    let chunk = bytes::Bytes::from(vec![b'x'; 1024 * 1024]);
    let chunks = UPLOAD_BODY_LIMIT / chunk.len() + 8;
    // Made as it is read: the server must stop reading, not buffer it.
    let stream = futures_util::stream::iter(
        std::iter::once(bytes::Bytes::from(head))
            .chain(std::iter::repeat_n(chunk, chunks))
            .map(Ok::<_, std::io::Error>),
    );
    let request = Request::post(format!("/media/campaigns/{}/photos", f.campaign))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, &f.contributor)
        .body(Body::from_stream(stream))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.body);
    assert!(reply.body.contains("too large"), "{}", reply.body);
}

#[sqlx::test]
async fn hits_just_before_a_window_ends_still_count_after_it(pool: PgPool) {
    let db = Db::new(pool.clone());
    // 100 hits in the previous hour-long window: some part of it always lies in the last hour.
    sqlx::query(
        "INSERT INTO rate_limit_hits (bucket, window_start, hits)
         VALUES ('test:key', date_bin(interval '1 hour', NOW(), TIMESTAMPTZ 'epoch') - interval '1 hour', 100)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let seen = mystoryflow::server::db::limits::hits(&db, "test:key", 3600).await.unwrap();
    assert!((1..=100).contains(&seen), "{seen}");
    let counted = mystoryflow::server::db::limits::hit(&db, "test:key", 3600).await.unwrap();
    assert!(counted == seen + 1 || counted == seen, "{seen} then {counted}");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn tier_limits_hold_at_the_boundary_and_an_expired_tier_hides_nothing(pool: PgPool) {
    use mystoryflow::api::books::CreateBook;
    use mystoryflow::api::campaigns::{CreateCampaign, Dashboard};
    use mystoryflow::server::limits::{Quota, Tiers};
    let tiers = Tiers::parse(
        r#"{"free": {"active_campaigns": 1, "books": 1, "recorded_stories": 1}, "premium": {"active_campaigns": 3}}"#,
    )
    .unwrap();
    let app = TestApp::with_quota(pool.clone(), Quota { tiers, ..Quota::from_env() }).await;
    let ann = app.logged_in("ann@example.com").await;
    let create = |title: &str| CreateCampaign {
        title: title.into(),
        description: String::new(),
        storyteller_name: String::new(),
        storyteller_email: String::new(),
        relationship_type: String::new(),
        goal_stories: "5".into(),
    };
    assert_eq!(app.call(create("First"), Some(&ann)).await.status, StatusCode::OK);
    let refused = app.call(create("Second"), Some(&ann)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("The free plan on this server allows 1 active campaign."), "{}", refused.body);

    let (ok, out) =
        crate::helpers::run_binary(&pool, &["user", "set-tier", "Ann@example.com", "premium", "--until", "2999-01-01"])
            .await;
    assert!(ok && out.contains("premium until 2999-01-01"), "{out}");
    assert_eq!(app.call(create("Second"), Some(&ann)).await.status, StatusCode::OK, "premium allows three");

    sqlx::query("UPDATE users SET subscription_expires_at = NOW() - interval '1 day' WHERE email = 'ann@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(app.call(create("Third"), Some(&ann)).await.status, StatusCode::CONFLICT, "expired: free again");
    let dashboard = app.call(Dashboard { status: String::new() }, Some(&ann)).await.body;
    assert!(dashboard.contains("First") && dashboard.contains("Second"), "nothing hidden: {dashboard}");

    let first: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM campaigns WHERE title = 'First'").fetch_one(&pool).await.unwrap();
    let book = |title: &str| CreateBook { campaign_id: first, title: title.into() };
    assert_eq!(app.call(book("Dad's book"), Some(&ann)).await.status, StatusCode::OK);
    let refused = app.call(book("Another"), Some(&ann)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("allows 1 book in the campaigns you own"), "{}", refused.body);

    // One recorded story: a new recording of it replaces the old, another story's is refused.
    let story = |title: &'static str| {
        sqlx::query_scalar::<_, uuid::Uuid>(
            "INSERT INTO stories (campaign_id, title, created_by) SELECT $1, $2, id FROM users WHERE email = 'ann@example.com' RETURNING id",
        )
        .bind(first)
        .bind(title)
        .fetch_one(&pool)
    };
    let (told, other) = (story("Told").await.unwrap(), story("Other").await.unwrap());
    let speech = crate::fixtures::media_file("speech.wav");
    let upload = |s: uuid::Uuid| format!("/media/campaigns/{first}/stories/{s}/audio");
    assert_eq!(app.upload(&upload(told), "audio", &[("a.wav", &speech)], Some(&ann)).await.status, StatusCode::OK);
    assert_eq!(app.upload(&upload(told), "audio", &[("a.wav", &speech)], Some(&ann)).await.status, StatusCode::OK);
    let refused = app.upload(&upload(other), "audio", &[("a.wav", &speech)], Some(&ann)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("allows 1 recorded story"), "{}", refused.body);

    let (ok, out) = crate::helpers::run_binary(&pool, &["user", "set-tier", "nobody@example.com", "premium"]).await;
    assert!(!ok && out.contains("no account uses"), "{out}");
}
