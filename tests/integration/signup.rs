//! Sign-up on a server that sends email: the answer is the same whether or not the address
//! has an account, the emailed link finishes it (once), and signing up first with someone
//! else's address gains nothing.
use http::StatusCode;
use mystoryflow::api::auth::{ConfirmEmail, CurrentUser, Signup};
use mystoryflow::server::db;
use sqlx::PgPool;

use crate::helpers::{Client, Reply, TestApp, PASSWORD};

async fn sign_up(app: &TestApp, email: &str, password: &str, ip: &str) -> Reply {
    let args = Signup {
        email: email.into(),
        name: "Someone".into(),
        password: password.into(),
        next: String::new(),
        invitation: String::new(),
    };
    let req = http::Request::post(<Signup as leptos::server_fn::ServerFn>::PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("x-test-client-ip", ip)
        .body(axum::body::Body::from(serde_qs::to_string(&args).unwrap()))
        .unwrap();
    app.send(req).await
}

/// (subject, link) of every mail queued to `email`, oldest first.
async fn mails_to(pool: &PgPool, email: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT payload->>'subject', payload->>'link' FROM jobs WHERE kind = 'mail' AND payload->>'to' = $1 ORDER BY created_at, id",
    )
    .bind(email)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

async fn confirm(app: &TestApp, token: &str) -> Reply {
    app.call(ConfirmEmail { token: token.into() }, None).await
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_sign_up_answers_the_same_for_new_and_existing_addresses(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let new = sign_up(&app, "newcomer@example.com", PASSWORD, "10.7.0.1").await;
    let existing = sign_up(&app, "ann@example.com", "another long password", "10.7.0.2").await;
    for reply in [&new, &existing] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.header("location").as_deref(), Some("/signup/sent"));
        assert_eq!(reply.body, new.body);
        if let Some(cookie) = reply.session_cookie() {
            assert_eq!(app.call(CurrentUser {}, Some(&cookie)).await.body, "null", "nobody is logged in");
        }
    }
    let to_new = mails_to(&pool, "newcomer@example.com").await;
    assert_eq!(to_new.len(), 1);
    assert_eq!(to_new[0].0, "Finish signing up to MyStoryFlow");
    assert!(to_new[0].1.contains("/signup/confirm/"), "{:?}", to_new[0]);
    let to_ann = mails_to(&pool, "ann@example.com").await;
    assert_eq!(to_ann.len(), 1);
    assert_eq!(to_ann[0].0, "You already have a MyStoryFlow account");
    // Ann's account is untouched: her password still works, the one typed above does not.
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);
    let other = app.log_in("ann@example.com", "another long password", None, Client::Script).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn the_emailed_link_confirms_the_address_and_logs_in_once(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    sign_up(&app, "cleo@example.com", PASSWORD, "10.7.1.1").await;
    let before = app.log_in("cleo@example.com", PASSWORD, None, Client::Script).await;
    assert_eq!(before.status, StatusCode::OK, "an unconfirmed account logs in: {}", before.body);

    let link = mails_to(&pool, "cleo@example.com").await.remove(0).1;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM account_tokens WHERE token_hash = sha256($1::bytea)")
        .bind(token_of(&link).as_bytes())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1, "only the hash is stored");
    let reply = confirm(&app, &token_of(&link)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("location").as_deref(), Some("/dashboard"));
    let cookie = reply.session_cookie().expect("logged in");
    assert!(app.call(CurrentUser {}, Some(&cookie)).await.body.contains("cleo@example.com"));

    let again = confirm(&app, &token_of(&link)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("expired or was already used"), "{}", again.body);
    assert_eq!(app.log_in("cleo@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);

    for bad in ["nonsense", "a%0Ab", &"x".repeat(500)] {
        assert_eq!(confirm(&app, bad).await.status, StatusCode::CONFLICT, "{bad}");
    }
}

#[sqlx::test]
async fn signing_up_first_with_someone_elses_address_gains_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    sign_up(&app, "dora@example.com", "the squatter's password", "10.7.2.1").await;
    let squatting = app.log_in("dora@example.com", "the squatter's password", None, Client::Script).await;
    let squatting = squatting.session_cookie().expect("an unconfirmed account logs in");
    // Dora signs up herself and uses her own link.
    sign_up(&app, "dora@example.com", PASSWORD, "10.7.2.2").await;
    let links = mails_to(&pool, "dora@example.com").await;
    assert_eq!(links.len(), 2);
    assert_eq!(confirm(&app, &token_of(&links[1].1)).await.status, StatusCode::OK);
    assert_eq!(app.call(CurrentUser {}, Some(&squatting)).await.body, "null", "the squatter's session ended");

    let squatter = app.log_in("dora@example.com", "the squatter's password", None, Client::Script).await;
    assert_eq!(squatter.status, StatusCode::UNAUTHORIZED, "the password typed with her link is the one");
    assert_eq!(app.log_in("dora@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);
    assert_eq!(confirm(&app, &token_of(&links[0].1)).await.status, StatusCode::CONFLICT, "the other link died");
}

#[sqlx::test]
async fn an_unconfirmed_account_uses_its_campaigns_but_invites_nobody_until_confirmed(pool: PgPool) {
    use mystoryflow::api::account::{Account, ResendConfirmation};
    use mystoryflow::api::campaigns::CreateCampaign;
    use mystoryflow::api::family::InviteMember;
    let app = TestApp::new(pool.clone()).await;
    sign_up(&app, "emma@example.com", PASSWORD, "10.7.5.1").await;
    let emma = app.log_in("emma@example.com", PASSWORD, None, Client::Script).await.session_cookie().unwrap();
    let account: serde_json::Value = serde_json::from_str(&app.call(Account {}, Some(&emma)).await.body).unwrap();
    assert_eq!(account["email_confirmed"], false);

    let args = CreateCampaign {
        title: "Mum's Stories".into(),
        description: String::new(),
        storyteller_name: "Mum".into(),
        storyteller_email: String::new(),
        relationship_type: String::new(),
        goal_stories: "20".into(),
    };
    let created = app.call(args, Some(&emma)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let campaign: uuid::Uuid = created.header("location").unwrap().trim_start_matches("/campaigns/").parse().unwrap();
    let invite = || InviteMember {
        campaign_id: campaign,
        email: "frank@example.com".into(),
        name: String::new(),
        relationship: String::new(),
        role: "viewer".into(),
    };
    let refused = app.call(invite(), Some(&emma)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("confirm your email address first"), "{}", refused.body);
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM family_members WHERE campaign_id = $1")
        .bind(campaign)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(members, 1, "only Emma: nothing was written");
    assert!(mails_to(&pool, "frank@example.com").await.is_empty());

    // The account page sends the link again; it keeps her password and brings her back there.
    let resent = app.call(ResendConfirmation {}, Some(&emma)).await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let links = mails_to(&pool, "emma@example.com").await;
    assert_eq!(links.len(), 2);
    let confirmed = confirm(&app, &token_of(&links[1].1)).await;
    assert_eq!(confirmed.header("location").as_deref(), Some("/account"), "{}", confirmed.body);
    let emma = app.log_in("emma@example.com", PASSWORD, None, Client::Script).await.session_cookie().unwrap();
    let account: serde_json::Value = serde_json::from_str(&app.call(Account {}, Some(&emma)).await.body).unwrap();
    assert_eq!(account["email_confirmed"], true);
    let invited = app.call(invite(), Some(&emma)).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert_eq!(mails_to(&pool, "frank@example.com").await.len(), 1);

    // Confirmed: asking again sends nothing.
    app.call(ResendConfirmation {}, Some(&emma)).await;
    assert_eq!(mails_to(&pool, "emma@example.com").await.len(), 2);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn sign_up_mails_to_one_address_are_limited_without_saying_so(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for n in 0..5 {
        let reply = sign_up(&app, "ann@example.com", PASSWORD, &format!("10.7.3.{n}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.header("location").as_deref(), Some("/signup/sent"));
    }
    assert_eq!(mails_to(&pool, "ann@example.com").await.len(), 3);
}

#[sqlx::test]
async fn members_cannot_read_account_tokens(pool: PgPool) {
    let mut tx = pool.begin().await.unwrap();
    db::act_as(&mut tx, uuid::Uuid::new_v4()).await.unwrap();
    let err = sqlx::query("SELECT 1 FROM account_tokens").execute(&mut *tx).await.unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

async fn ask_for_link(app: &TestApp, email: &str, purpose: &str) -> Reply {
    let args = mystoryflow::api::auth::EmailMeALink { email: email.into(), purpose: purpose.into() };
    app.call(args, None).await
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_forgotten_password_is_reset_from_the_email_and_every_other_session_ends(pool: PgPool) {
    use mystoryflow::api::auth::ResetPassword;
    let app = TestApp::new(pool.clone()).await;
    let elsewhere = app.logged_in("ann@example.com").await;
    let known = ask_for_link(&app, "Ann@Example.com", "reset_password").await;
    let unknown = ask_for_link(&app, "nobody@example.com", "reset_password").await;
    for reply in [&known, &unknown] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.header("location").as_deref(), Some("/login/sent"), "the same answer for both");
    }
    assert!(mails_to(&pool, "nobody@example.com").await.is_empty());
    let mails = mails_to(&pool, "ann@example.com").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "Choose a new MyStoryFlow password");
    let token = token_of(&mails[0].1);
    let expires: bool = sqlx::query_scalar(
        "SELECT expires_at BETWEEN NOW() + interval '59 minutes' AND NOW() + interval '61 minutes'
         FROM account_tokens WHERE token_hash = sha256($1::bytea)",
    )
    .bind(token.as_bytes())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(expires, "an hour; only the hash is stored");

    let short = app.call(ResetPassword { token: token.clone(), password: "short".into() }, None).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.body);
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);

    let reply = app.call(ResetPassword { token: token.clone(), password: "a brand new password".into() }, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("location").as_deref(), Some("/dashboard"));
    let cookie = reply.session_cookie().expect("signed in");
    assert!(app.call(CurrentUser {}, Some(&cookie)).await.body.contains("ann@example.com"));
    assert_eq!(app.call(CurrentUser {}, Some(&elsewhere)).await.body, "null", "the other session ended");
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::UNAUTHORIZED);
    let new = app.log_in("ann@example.com", "a brand new password", None, Client::Script).await;
    assert_eq!(new.status, StatusCode::OK);

    let again = app.call(ResetPassword { token, password: "yet another password".into() }, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "single use: {}", again.body);
    for bad in ["nonsense", &"x".repeat(500)] {
        let reply = app.call(ResetPassword { token: bad.into(), password: "yet another password".into() }, None).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{bad}");
    }
    sqlx::query("UPDATE account_tokens SET expires_at = NOW() - interval '1 second'").execute(&pool).await.unwrap();
    ask_for_link(&app, "ann@example.com", "reset_password").await;
    sqlx::query("UPDATE account_tokens SET expires_at = NOW() - interval '1 second'").execute(&pool).await.unwrap();
    let late = token_of(&mails_to(&pool, "ann@example.com").await[1].1);
    let reply = app.call(ResetPassword { token: late, password: "yet another password".into() }, None).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "expired after the hour");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_emailed_link_signs_in_once_without_a_password(pool: PgPool) {
    use mystoryflow::api::auth::SignInWithLink;
    let app = TestApp::new(pool.clone()).await;
    let reply = ask_for_link(&app, "ann@example.com", "sign_in").await;
    assert_eq!(reply.header("location").as_deref(), Some("/login/sent"));
    let mails = mails_to(&pool, "ann@example.com").await;
    assert_eq!(mails[0].0, "Your link to sign in to MyStoryFlow");
    assert!(mails[0].1.contains("/login/link/"), "{:?}", mails[0]);
    let token = token_of(&mails[0].1);
    // A plain form (JavaScript off) signs in and goes to the dashboard.
    let reply = app.post_raw::<SignInWithLink>(&[("token", &token)], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply.session_cookie().expect("signed in");
    assert!(app.call(CurrentUser {}, Some(&cookie)).await.body.contains("ann@example.com"));
    assert_eq!(app.call(SignInWithLink { token: token.clone() }, None).await.status, StatusCode::CONFLICT);
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);
    // A reset link is not a sign-in link.
    ask_for_link(&app, "ann@example.com", "reset_password").await;
    let reset = token_of(&mails_to(&pool, "ann@example.com").await[1].1);
    assert_eq!(app.call(SignInWithLink { token: reset }, None).await.status, StatusCode::CONFLICT);
}

#[sqlx::test]
async fn a_sign_in_link_to_an_unproven_account_drops_the_password_typed_before(pool: PgPool) {
    use mystoryflow::api::auth::SignInWithLink;
    let app = TestApp::new(pool.clone()).await;
    sign_up(&app, "dora@example.com", "the squatter's password", "10.7.3.1").await;
    ask_for_link(&app, "dora@example.com", "sign_in").await;
    let link = mails_to(&pool, "dora@example.com").await.pop().unwrap().1;
    assert_eq!(app.call(SignInWithLink { token: token_of(&link) }, None).await.status, StatusCode::OK);
    let squatter = app.log_in("dora@example.com", "the squatter's password", None, Client::Script).await;
    assert_eq!(squatter.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn link_emails_are_limited_and_bad_addresses_refused(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for _ in 0..5 {
        let reply = ask_for_link(&app, "ann@example.com", "sign_in").await;
        assert_eq!(reply.header("location").as_deref(), Some("/login/sent"), "the same answer past the limit");
    }
    assert_eq!(mails_to(&pool, "ann@example.com").await.len(), 3);
    let bad = ask_for_link(&app, "not an address", "reset_password").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_password_change_needs_the_current_one_and_signs_out_everywhere_else(pool: PgPool) {
    use mystoryflow::api::account::ChangePassword;
    let app = TestApp::new(pool.clone()).await;
    let here = app.logged_in("ann@example.com").await;
    let elsewhere = app.logged_in("ann@example.com").await;
    let wrong =
        ChangePassword { current_password: "not it at all".into(), new_password: "a fresh long password".into() };
    let reply = app.call(wrong, Some(&here)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("not your current password"), "{}", reply.body);
    let short = ChangePassword { current_password: PASSWORD.into(), new_password: "short".into() };
    assert_eq!(app.call(short, Some(&here)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);

    let good = ChangePassword { current_password: PASSWORD.into(), new_password: "a fresh long password".into() };
    let reply = app.call(good, Some(&here)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let here = reply.session_cookie().unwrap_or(here);
    assert!(app.call(CurrentUser {}, Some(&here)).await.body.contains("ann@example.com"), "this session goes on");
    assert_eq!(app.call(CurrentUser {}, Some(&elsewhere)).await.body, "null", "the other one ended");
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::UNAUTHORIZED);
    let new = app.log_in("ann@example.com", "a fresh long password", None, Client::Script).await;
    assert_eq!(new.status, StatusCode::OK);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_email_change_is_confirmed_from_the_new_address_and_the_old_one_is_told(pool: PgPool) {
    use mystoryflow::api::account::{ChangeEmail, ConfirmEmailChange, SaveName};
    let app = TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    let taken = ChangeEmail { email: "owner@example.com".into(), current_password: PASSWORD.into() };
    let reply = app.call(taken, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Another account uses that email"), "{}", reply.body);
    let wrong = ChangeEmail { email: "ann.new@example.com".into(), current_password: "not it at all".into() };
    assert_eq!(app.call(wrong, Some(&ann)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mails_to(&pool, "ann.new@example.com").await.is_empty());

    let ask = ChangeEmail { email: "Ann.New@example.com".into(), current_password: PASSWORD.into() };
    assert_eq!(app.call(ask, Some(&ann)).await.status, StatusCode::OK);
    let to_old = mails_to(&pool, "ann@example.com").await;
    assert_eq!(to_old.last().unwrap().0, "Your MyStoryFlow email is being changed");
    let link = mails_to(&pool, "ann.new@example.com").await.remove(0).1;
    assert!(link.contains("/account/email/"), "{link}");
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK, "not yet");

    let reply = app.call(ConfirmEmailChange { token: token_of(&link) }, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(app.call(CurrentUser {}, Some(&ann)).await.body.contains("ann.new@example.com"));
    assert_eq!(app.log_in("ann@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.log_in("ann.new@example.com", PASSWORD, None, Client::Script).await.status, StatusCode::OK);
    let profile: String = sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN auth.users a USING (id) WHERE a.email = 'ann.new@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(profile, "ann.new@example.com");
    assert_eq!(app.call(ConfirmEmailChange { token: token_of(&link) }, None).await.status, StatusCode::CONFLICT);

    let reply = app.call(SaveName { name: "  Ann Marie  ".into() }, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(app.call(CurrentUser {}, Some(&ann)).await.body.contains("Ann Marie"));
    assert_eq!(app.call(SaveName { name: " ".into() }, Some(&ann)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn members_change_their_name_but_not_their_address_or_tier_in_the_database(pool: PgPool) {
    use mystoryflow::server::db;
    let ann: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ann@example.com'").fetch_one(&pool).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    db::act_as(&mut tx, ann).await.unwrap();
    sqlx::query("UPDATE users SET name = 'Ann B', preferences = '{}' WHERE id = $1")
        .bind(ann)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for column in ["email = 'x@evil.example'", "subscription_status = 'enterprise'", "subscription_expires_at = NOW()"]
    {
        let mut tx = pool.begin().await.unwrap();
        db::act_as(&mut tx, ann).await.unwrap();
        let err = sqlx::query(&format!("UPDATE users SET {column} WHERE id = $1"))
            .bind(ann)
            .execute(&mut *tx)
            .await
            .expect_err(column);
        assert!(err.to_string().contains("permission denied"), "{column}: {err}");
    }
}
