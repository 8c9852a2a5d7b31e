//! Authentication over HTTP, as the browser does it: hydrated (fetch) and plain forms.
use http::StatusCode;
use mystoryflow::api::account::Account;
use mystoryflow::api::auth::{CurrentUser, Login, Logout};
use mystoryflow::error::AppError;
use sqlx::PgPool;

use crate::helpers::{Client, TestApp, PASSWORD};

#[sqlx::test]
async fn without_email_signing_up_logs_the_person_in_with_a_safe_cookie(pool: PgPool) {
    let app = TestApp::without_email(pool, false).await;
    let reply = app.sign_up("ann@example.com", "Ann", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("location").as_deref(), Some("/dashboard"));

    let cookie = reply.set_cookie_header().expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http development must not set Secure: {cookie}");

    let me = app.call(CurrentUser {}, Some(&reply.session_cookie().unwrap())).await;
    assert!(me.body.contains("ann@example.com"), "{}", me.body);
}

#[sqlx::test]
async fn behind_https_the_session_cookie_is_secure(pool: PgPool) {
    let app = TestApp::without_email(pool, true).await;
    let reply = app.sign_up("ann@example.com", "Ann", PASSWORD).await;
    let cookie = reply.set_cookie_header().expect("session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[sqlx::test]
async fn the_server_refuses_a_short_password(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let reply = app.sign_up("ann@example.com", "Ann", "123456789").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let err: AppError = serde_json::from_str(&reply.body).unwrap();
    assert!(err.field("password").unwrap().contains("10 characters"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.users").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0, "nothing may be written");
}

#[sqlx::test]
async fn server_functions_answer_401_when_logged_out(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let reply = app.call(Account {}, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let err: AppError = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(err, AppError::Unauthenticated);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_account_is_read_through_row_level_security(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let cookie = app.logged_in("ann@example.com").await;
    let reply = app.call(Account {}, Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("ann@example.com"));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn wrong_password_and_unknown_email_get_the_same_generic_message(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let wrong = app.log_in("ann@example.com", "not the password", None, Client::Script).await;
    let unknown = app.log_in("nobody@example.com", PASSWORD, None, Client::Script).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    let err: AppError = serde_json::from_str(&wrong.body).unwrap();
    assert_eq!(err, AppError::InvalidCredentials);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn logging_in_gives_a_new_session_id(pool: PgPool) {
    let app = TestApp::new(pool).await;
    // A failed plain-form login leaves a flash, so the visitor already has a session.
    let failed = app.log_in("ann@example.com", "wrong password!", None, Client::PlainForm).await;
    let before = failed.session_cookie().expect("a session for the flash");

    let ok = app.log_in("ANN@example.com", PASSWORD, Some(&before), Client::Script).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let after = ok.session_cookie().expect("login sets a cookie");
    assert_ne!(before, after, "the session id must change at login");

    let me = app.call(CurrentUser {}, Some(&after)).await;
    assert!(me.body.contains("ann@example.com"));
    let old = app.call(CurrentUser {}, Some(&before)).await;
    assert!(!old.body.contains("ann@example.com"), "the old session id must not be logged in");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_plain_form_login_failure_returns_to_the_form_with_the_message(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let failed = app.log_in("ann@example.com", "wrong password!", None, Client::PlainForm).await;
    assert_eq!(failed.status, StatusCode::FOUND);
    assert_eq!(failed.header("location").as_deref(), Some("/login"));
    let cookie = failed.session_cookie().unwrap();

    let page = app.get("/login", Some(&cookie)).await;
    assert!(
        page.body.contains("don&#x27;t match an account") || page.body.contains("don't match an account"),
        "{}",
        page.body
    );
    assert!(page.body.contains("ann@example.com"), "the typed email is kept");
    assert!(!page.body.contains("wrong password!"), "passwords are never echoed");

    let again = app.get("/login", Some(&cookie)).await;
    assert!(!again.body.contains("match an account"), "the message is shown once");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_plain_form_login_success_redirects_to_next(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let login = Login { email: "ann@example.com".into(), password: PASSWORD.into(), next: "/account".into() };
    let reply = app.call_as(login, None, Client::PlainForm).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.header("location").as_deref(), Some("/account"));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn login_never_redirects_off_site(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let login = Login { email: "ann@example.com".into(), password: PASSWORD.into(), next: "//evil.example/".into() };
    let reply = app.call_as(login, None, Client::PlainForm).await;
    assert_eq!(reply.header("location").as_deref(), Some("/dashboard"));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn member_pages_redirect_to_login_and_back(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let reply = app.get("/account", None).await;
    assert!(reply.status.is_redirection(), "{}", reply.status);
    assert_eq!(reply.header("location").as_deref(), Some("/login?next=%2Faccount"));

    let cookie = app.logged_in("ann@example.com").await;
    let page = app.get("/account", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn logging_out_ends_the_session(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let cookie = app.logged_in("ann@example.com").await;
    let out = app.call(Logout {}, Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let after = app.call(Account {}, Some(&cookie)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn unknown_pages_are_404_with_a_friendly_page(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let reply = app.get("/no/such/page", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        reply.body.contains("We couldn&#x27;t find that page") || reply.body.contains("We couldn't find that page")
    );
}

#[sqlx::test]
async fn the_storytellers_and_listening_pages_come_without_the_browser_bundle(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let login = app.get("/login", None).await;
    assert!(login.body.contains(".wasm"), "other pages load the bundle: {}", login.body);
    for page in ["/s/not-a-real-link", "/listen/not-a-real-link"] {
        let reply = app.get(page, None).await;
        assert!(reply.body.contains("<h1>"), "{page} is a whole page: {}", reply.body);
        assert!(!reply.body.contains(".wasm") && !reply.body.contains("hydrate"), "{page}: {}", reply.body);
        assert!(reply.body.contains("/enhance.js"), "{page} still has its small script");
    }
}

/// A wasm download begun before the first paint counts toward it in Lighthouse's simulated
/// slow phone (largest paint 5.7 s instead of 1.0 s), though the page is whole as HTML.
#[sqlx::test]
async fn pages_start_the_browser_bundle_after_their_first_paint(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let login = app.get("/login", None).await;
    assert!(!login.body.contains("rel=\"preload\"") && !login.body.contains("modulepreload"), "{}", login.body);
    let script = login.body.split("<script type=\"module\"").find(|s| s.contains(".wasm")).expect("the loader");
    assert!(script.contains("requestAnimationFrame(() => setTimeout(start))"), "{script}");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn site_files_read_no_session_and_arrive_while_the_database_is_down(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    pool.close().await;
    let icon = app.get("/favicon.svg", Some(&cookie)).await;
    assert_eq!(icon.status, StatusCode::OK, "{}", icon.body);
    assert!(icon.body.contains("<svg"), "{}", icon.body);
    assert_eq!(icon.header("cache-control").as_deref(), Some("no-cache"));
    // Pages and missing files still go through the session, and get the calm answer.
    for path in ["/dashboard", "/no-such-file.css"] {
        assert_eq!(app.get(path, Some(&cookie)).await.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
}

#[sqlx::test]
async fn healthz_checks_the_database(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains(r#""database":"ok""#));

    pool.close().await;
    let down = app.get("/healthz", None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// What the session store holds: (number of sessions, latest expiry). A save moves the expiry.
async fn stored_sessions(pool: &PgPool) -> (i64, Option<chrono::DateTime<chrono::Utc>>) {
    sqlx::query_as(r#"SELECT count(*), max(expiry_date) FROM "tower_sessions"."session""#)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_page_view_writes_no_session(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("reader@example.com").await;
    // The first view of the day may mark the session as seen (once a day, to extend it).
    assert_eq!(app.get("/dashboard", Some(&cookie)).await.status, StatusCode::OK);
    let before = stored_sessions(&pool).await;
    for path in ["/dashboard", "/account", "/campaigns", "/dashboard"] {
        assert_eq!(app.get(path, Some(&cookie)).await.status, StatusCode::OK, "{path}");
    }
    assert_eq!(stored_sessions(&pool).await, before, "reading pages saved the session");

    // Nor does an anonymous visit create one.
    assert_eq!(app.get("/", None).await.status, StatusCode::OK);
    assert_eq!(stored_sessions(&pool).await.0, before.0);
}

#[sqlx::test]
async fn pages_are_compressed_for_browsers_that_accept_it(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let request = |encoding: Option<&str>| {
        let mut req = http::Request::get("/login").header(http::header::ACCEPT, "text/html");
        if let Some(encoding) = encoding {
            req = req.header(http::header::ACCEPT_ENCODING, encoding);
        }
        req.body(axum::body::Body::empty()).unwrap()
    };
    let plain = app.send(request(None)).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.body.contains("Log in"));
    let compressed = app.send(request(Some("br, gzip"))).await;
    assert_eq!(compressed.status, StatusCode::OK);
    assert_eq!(compressed.header("content-encoding").as_deref(), Some("br"));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_post_from_another_site_is_refused_and_pages_carry_security_headers(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let login = |extra: Option<(&'static str, &'static str)>| {
        let mut req = http::Request::post("/api/login")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "text/html");
        if let Some((name, value)) = extra {
            req = req.header(name, value);
        }
        req.body(axum::body::Body::from(format!("email=ann%40example.com&password={}", PASSWORD.replace(' ', "+"))))
            .unwrap()
    };
    // Login CSRF: another site's form posting our login.
    for header in [("origin", "https://elsewhere.example"), ("sec-fetch-site", "cross-site")] {
        let reply = app.send(login(Some(header))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{header:?}");
        assert!(reply.body.contains("came from another website"), "{}", reply.body);
        assert_eq!(reply.session_cookie(), None, "a refused request must not log anyone in");
    }
    // The app's own pages (and clients that are not browsers) are let through.
    for header in [Some(("sec-fetch-site", "same-origin")), Some(("origin", "http://localhost:3000")), None] {
        let reply = app.send(login(header)).await;
        assert!(reply.session_cookie().is_some(), "{header:?}: {} {}", reply.status, reply.body);
    }

    let page = app.get("/login", None).await;
    assert_eq!(page.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(page.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(page.header("content-security-policy").is_some_and(|v| v.contains("frame-ancestors 'none'")));
    assert!(page.header("referrer-policy").is_some());
    assert_eq!(page.header("strict-transport-security"), None, "plain http must not ask for HSTS");
}

#[sqlx::test]
async fn the_browser_bundle_is_sent_gzipped_and_cached_for_a_year(pool: PgPool) {
    let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/site");
    // mystoryflow.<hash>.wasm: cargo-leptos names the bundle after its contents (hash-files).
    let wasm = std::fs::read_dir(site.join("pkg"))
        .expect("cargo leptos build runs before the tests (scripts/test.sh)")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("mystoryflow.") && name.ends_with(".wasm"))
        .expect("the bundle's wasm");
    assert_eq!(wasm.split('.').count(), 3, "named after its contents: {wasm}");
    mystoryflow::server::assets::precompress(&site).unwrap();
    let app = TestApp::with_hashed_bundle(pool).await;
    let request = |path: &str, encoding: &str| {
        http::Request::get(path)
            .header(http::header::ACCEPT_ENCODING, encoding)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let path = format!("/pkg/{wasm}");
    let (gzipped, plain) = (app.send(request(&path, "gzip, br")).await, app.send(request(&path, "identity")).await);
    assert_eq!(gzipped.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(gzipped.header("content-type").as_deref(), Some("application/wasm"));
    assert_eq!(plain.header("content-encoding"), None, "a browser without gzip gets the file itself");
    let sizes = |reply: &crate::helpers::Reply| reply.header("content-length").and_then(|l| l.parse::<u64>().ok());
    assert!(sizes(&gzipped).unwrap() * 2 < sizes(&plain).unwrap(), "{:?} vs {:?}", sizes(&gzipped), sizes(&plain));
    for reply in [&gzipped, &plain] {
        assert_eq!(reply.header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    }
    // Files whose names do not change are asked about again; pages are never stored by others.
    let icon = app.send(request("/favicon.svg", "identity")).await;
    assert_eq!(icon.header("cache-control").as_deref(), Some("no-cache"));
    let page = app.send(http::Request::get("/login").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(page.header("cache-control").as_deref(), Some("private, no-cache"));
}

/// A signed-in request reads its session and its user in one statement: the session row
/// carries the user's id, and the login layer takes the user read with it.
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_session_is_read_with_its_user_in_one_statement(pool: PgPool) {
    use axum_login::AuthnBackend;
    use mystoryflow::server::auth::{with_user_read_with_session, Backend};
    use mystoryflow::server::db::sessions::{Sessions, AUTH_DATA_KEY};
    use mystoryflow::server::db::Db;
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;

    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("reader@example.com").await;
    assert_eq!(app.get("/dashboard", Some(&cookie)).await.status, StatusCode::OK);
    let (user, kept): (uuid::Uuid, Option<uuid::Uuid>) = sqlx::query_as(
        r#"SELECT u.id, s.user_id FROM "tower_sessions"."session" s, users u WHERE u.email = 'reader@example.com'"#,
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kept, Some(user), "the session row names its user");

    let db = Db::new(pool.clone());
    let sessions = Sessions::new(db.clone());
    let mut record = Record {
        id: Id::default(),
        data: [(AUTH_DATA_KEY.to_string(), serde_json::json!({ "user_id": user, "auth_hash": [] }))].into(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    sessions.create(&mut record).await.unwrap();
    // Outside a request the backend reads the user itself.
    assert!(Backend::new(db.clone()).get_user(&user).await.unwrap().is_some());
    // Within one, after the session is loaded, it needs the database no more: closed, the
    // user still comes, read with the session.
    let found = with_user_read_with_session(async {
        let loaded = sessions.load(&record.id).await.unwrap();
        assert_eq!(loaded.map(|r| r.data), Some(record.data.clone()));
        pool.close().await;
        Backend::new(db.clone()).get_user(&user).await
    })
    .await
    .expect("the user read with the session");
    assert_eq!(found.map(|u| u.email), Some("reader@example.com".to_string()));
}

/// A deleted account's session finds no one, read with the session as alone.
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_deleted_accounts_session_finds_no_user(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("reader@example.com").await;
    assert_eq!(app.get("/dashboard", Some(&cookie)).await.status, StatusCode::OK);
    sqlx::query("UPDATE users SET deletion_requested_at = now(), delete_after = now() + interval '7 days' WHERE email = 'reader@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let reply = app.get("/dashboard", Some(&cookie)).await;
    assert!(reply.status.is_redirection(), "a deleted account's session is signed out: {}", reply.status);
}
