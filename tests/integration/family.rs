//! Family: invitations by email (a real SMTP server), accepting them, managing members,
//! permissions, ownership, comments and hearts.
use std::path::PathBuf;

use http::StatusCode;
use mystoryflow::api::account::{SetStoryEmails, Unsubscribe};
use mystoryflow::api::auth::{Login, Signup};
use mystoryflow::api::campaigns::Campaign;
use mystoryflow::api::family::{
    AcceptInvitation, AddComment, CampaignFamily, DeleteComment, EditComment, Invitation, InviteMember, LeaveCampaign,
    RevokeInvitation, SetHeart, SetMemberActive, SetMemberPermissions, SetMemberRole, StoryConversation,
    TransferOwnership,
};
use mystoryflow::api::stories::{CreateStory, SetStoryStatus};
use mystoryflow::model::family::{Conversation, Family, InvitationState, InvitationView};
use mystoryflow::server::mail::{self, Mailer};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{create_campaign, create_story, family as family_of, save};
use crate::helpers::{Client, TestApp, PASSWORD};

/// A real SMTP server on 127.0.0.1 (aiosmtpd from the project's venv) that keeps every
/// message in a Maildir.
struct SmtpSink {
    process: Option<tokio::process::Child>,
    pub port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    async fn start_on(port: u16, dir: PathBuf) -> Self {
        let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
        let process = tokio::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .kill_on_drop(true)
            .spawn()
            .expect("scripts/setup.sh installs aiosmtpd into .venv");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        SmtpSink { process: Some(process), port, dir }
    }

    async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("msf-smtp-{}", Uuid::new_v4()));
        Self::start_on(Self::free_port(), dir).await
    }

    async fn stop(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill().await.ok();
        }
    }

    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else { return Vec::new() };
        entries.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap()).collect()
    }
}

/// The invitation link in a message (quoted-printable may wrap it; undo soft breaks).
fn link_in(message: &str) -> String {
    let text = message.replace("=\r\n", "").replace("=\n", "");
    let start = text.find("http://localhost:3000/invitations/").expect("the message has the link");
    text[start..].split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().unwrap().to_owned()
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

async fn invite(app: &TestApp, cookie: &str, campaign: Uuid, email: &str, role: &str) -> http::StatusCode {
    let args = InviteMember {
        campaign_id: campaign,
        email: email.into(),
        name: "Cousin Kim".into(),
        relationship: "niece".into(),
        role: role.into(),
    };
    app.call(args, Some(cookie)).await.status
}

/// The link of the newest invitation mail queued for `email` (read from the job queue).
async fn queued_link(pool: &PgPool, email: &str) -> String {
    let text: String = sqlx::query_scalar(
        "SELECT payload->>'text' FROM jobs WHERE kind = 'mail' AND payload->>'to' = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap();
    link_in(&text)
}

async fn view(app: &TestApp, token: &str) -> (StatusCode, Option<InvitationView>) {
    let reply = app.call(Invitation { token: token.into() }, None).await;
    (reply.status, serde_json::from_str(&reply.body).ok())
}

async fn accept(app: &TestApp, cookie: &str, token: &str) -> (StatusCode, String) {
    let reply = app.call(AcceptInvitation { token: token.into() }, Some(cookie)).await;
    (reply.status, reply.body)
}

async fn campaign_status(app: &TestApp, cookie: &str, campaign: Uuid) -> StatusCode {
    app.call(Campaign { id: campaign }, Some(cookie)).await.status
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_invitation_arrives_by_smtp_with_a_working_link(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    assert_eq!(invite(&app, &f.owner, f.campaign, "kim@example.com", "contributor").await, StatusCode::OK);

    let (status, invited_by): (String, Option<Uuid>) =
        sqlx::query_as("SELECT status, invited_by FROM family_members WHERE email = 'kim@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "invited");
    assert!(invited_by.is_some());

    let sink = SmtpSink::start().await;
    let mailer = Mailer::new(
        Some(&format!("smtp://127.0.0.1:{}", sink.port)),
        &std::env::temp_dir(),
        "MyStoryFlow <hello@example.com>",
    )
    .unwrap();
    assert!(mail::run_once(&app.state.db, &mailer).await.unwrap());
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("To: kim@example.com"), "{message}");
    assert!(message.contains("text/plain") && message.contains("text/html"));
    assert!(
        message.contains("Dad's Life Stories") || message.contains("Dad=27s Life Stories"),
        "says to what: {message}"
    );
    let token = token_of(&link_in(message));
    assert!(token.len() >= 43, "at least 256 bits, URL-safe");

    // Only the hash is stored.
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM invitations WHERE token_hash = sha256(convert_to($1, 'UTF8'))")
            .bind(&token)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 1);
    let plain: i64 =
        sqlx::query_scalar("SELECT count(*) FROM invitations WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'")
            .bind(&token)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(plain, 0);

    let (status, shown) = view(&app, &token).await;
    assert_eq!(status, StatusCode::OK);
    let shown = shown.unwrap();
    assert_eq!((shown.state, shown.email.as_str()), (InvitationState::Open, "kim@example.com"));

    // A brand-new person signs up from the link and is in.
    let signup = Signup {
        email: "kim@example.com".into(),
        name: "Kim".into(),
        password: PASSWORD.into(),
        next: String::new(),
        invitation: token.clone(),
    };
    let reply = app.call(signup, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("location").as_deref(), Some(format!("/campaigns/{}", f.campaign).as_str()));
    let kim = reply.session_cookie().unwrap();
    assert_eq!(campaign_status(&app, &kim, f.campaign).await, StatusCode::OK);
    let (status, joined): (String, bool) =
        sqlx::query_as("SELECT status, joined_at IS NOT NULL AND user_id IS NOT NULL FROM family_members WHERE email = 'kim@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), joined), ("active", true));
    // …as a contributor, who can add a story.
    create_story(&app, &kim, f.campaign, "Kim's memory").await;
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn mail_waits_out_an_smtp_outage_and_is_delivered_after(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    assert_eq!(invite(&app, &f.owner, f.campaign, "kim@example.com", "viewer").await, StatusCode::OK);

    let port = SmtpSink::free_port();
    let mailer =
        Mailer::new(Some(&format!("smtp://127.0.0.1:{port}")), &std::env::temp_dir(), "hello@example.com").unwrap();
    // Nobody listens: the send fails, the job goes back to the queue for later.
    assert!(mail::run_once(&app.state.db, &mailer).await.unwrap());
    let (status, attempts, later): (String, i32, bool) =
        sqlx::query_as("SELECT status, attempts, run_at > NOW() FROM jobs WHERE kind = 'mail'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts, later), ("queued", 1, true));

    let dir = std::env::temp_dir().join(format!("msf-smtp-{}", Uuid::new_v4()));
    let mut sink = SmtpSink::start_on(port, dir).await;
    sqlx::query("UPDATE jobs SET run_at = NOW()").execute(&pool).await.unwrap(); // the backoff has passed
    assert!(mail::run_once(&app.state.db, &mailer).await.unwrap());
    assert_eq!(sink.messages().len(), 1);
    let status: String =
        sqlx::query_scalar("SELECT status FROM jobs WHERE kind = 'mail'").fetch_one(&pool).await.unwrap();
    assert_eq!(status, "done");
    sink.stop().await;
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users", "relatives")))]
async fn expired_revoked_reused_and_forged_links_are_refused(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let kim = app.logged_in("kim@example.com").await;
    let lee = app.logged_in("lee@example.com").await;

    // Forged.
    let (status, _) = view(&app, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(accept(&app, &kim, "forged").await.0, StatusCode::NOT_FOUND);

    // Re-sent: the first link is dead, the second works, once.
    assert_eq!(invite(&app, &f.owner, f.campaign, "kim@example.com", "contributor").await, StatusCode::OK);
    let first = token_of(&queued_link(&pool, "kim@example.com").await);
    assert_eq!(invite(&app, &f.owner, f.campaign, "KIM@example.com", "contributor").await, StatusCode::OK);
    let second = token_of(&queued_link(&pool, "kim@example.com").await);
    assert_ne!(first, second);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM family_members WHERE lower(email) = 'kim@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "inviting twice re-sends rather than duplicates");
    assert_eq!(view(&app, &first).await.1.unwrap().state, InvitationState::Revoked);
    let (status, body) = accept(&app, &kim, &first).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        campaign_status(&app, &kim, f.campaign).await,
        StatusCode::NOT_FOUND,
        "invited but not joined sees nothing"
    );
    assert_eq!(accept(&app, &kim, &second).await.0, StatusCode::OK);
    assert_eq!(campaign_status(&app, &kim, f.campaign).await, StatusCode::OK);
    let (status, body) = accept(&app, &lee, &second).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("already been used"), "{body}");
    assert_eq!(view(&app, &second).await.1.unwrap().state, InvitationState::Used);
    assert_eq!(campaign_status(&app, &lee, f.campaign).await, StatusCode::NOT_FOUND);

    // Expired.
    assert_eq!(invite(&app, &f.owner, f.campaign, "lee@example.com", "viewer").await, StatusCode::OK);
    let token = token_of(&queued_link(&pool, "lee@example.com").await);
    sqlx::query("UPDATE invitations SET expires_at = NOW() - interval '1 minute' WHERE email = 'lee@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(view(&app, &token).await.1.unwrap().state, InvitationState::Expired);
    let (status, body) = accept(&app, &lee, &token).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("expired"), "{body}");

    // Withdrawn.
    sqlx::query("UPDATE invitations SET expires_at = NOW() + interval '1 day' WHERE email = 'lee@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let member: Uuid = sqlx::query_scalar("SELECT id FROM family_members WHERE email = 'lee@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let reply = app.call(RevokeInvitation { campaign_id: f.campaign, member_id: member }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(view(&app, &token).await.1.unwrap().state, InvitationState::Revoked);
    assert_eq!(accept(&app, &lee, &token).await.0, StatusCode::CONFLICT);
    assert_eq!(campaign_status(&app, &lee, f.campaign).await, StatusCode::NOT_FOUND);

    // The invitation page says so, with whom to ask.
    let page = app.get(&format!("/invitations/{token}"), None).await;
    assert!(page.body.contains("no longer valid") && page.body.contains("owner@example.com"), "{}", page.body);
    let page = app.get("/invitations/forged-token", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users", "relatives")))]
async fn a_token_for_one_campaign_joins_only_that_campaign(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let other = create_campaign(&app, &f.owner, "Mum's Stories", "5").await;
    let kim = app.logged_in("kim@example.com").await;
    assert_eq!(invite(&app, &f.owner, f.campaign, "kim@example.com", "viewer").await, StatusCode::OK);
    let token = token_of(&queued_link(&pool, "kim@example.com").await);
    assert_eq!(accept(&app, &kim, &token).await.0, StatusCode::OK);
    assert_eq!(campaign_status(&app, &kim, f.campaign).await, StatusCode::OK);
    assert_eq!(campaign_status(&app, &kim, other).await, StatusCode::NOT_FOUND);
    // As a viewer: reads but does not write.
    let mine = CreateStory {
        campaign_id: f.campaign,
        title: "Mine".into(),
        category: String::new(),
        custom_category: String::new(),
    };
    let reply = app.call(mine, Some(&kim)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn ownership_moves_in_one_step_and_there_is_always_one_owner(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let c = f.campaign;
    // The owner can't leave or be demoted.
    let reply = app.call(LeaveCampaign { campaign_id: c }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let owner_row: Uuid =
        sqlx::query_scalar("SELECT id FROM family_members WHERE role = 'owner'").fetch_one(&pool).await.unwrap();
    let demote = SetMemberRole { campaign_id: c, member_id: owner_row, role: "viewer".into() };
    let reply = app.call(demote, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);

    let contributor: Uuid =
        sqlx::query_scalar("SELECT fm.id FROM family_members fm WHERE fm.email = 'contributor@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let reply = app.call(TransferOwnership { campaign_id: c, member_id: contributor }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let owners: Vec<String> =
        sqlx::query_scalar("SELECT email FROM family_members WHERE role = 'owner'").fetch_all(&pool).await.unwrap();
    assert_eq!(owners, vec!["contributor@example.com".to_owned()]);
    let campaign_owner: String = sqlx::query_scalar("SELECT u.email FROM campaigns c JOIN users u ON u.id = c.user_id")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(campaign_owner, "contributor@example.com");
    // The former owner is a contributor now, and can leave.
    let reply = app.call(TransferOwnership { campaign_id: c, member_id: owner_row }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app.call(LeaveCampaign { campaign_id: c }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(campaign_status(&app, &f.owner, f.campaign).await, StatusCode::NOT_FOUND);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn owners_change_roles_permissions_and_activity(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let c = f.campaign;
    let member = |email: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>("SELECT id FROM family_members WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let contributor = member("contributor@example.com").await;
    let viewer = member("viewer@example.com").await;

    // Without permission a contributor neither invites nor edits others' stories…
    assert_eq!(invite(&app, &f.contributor, f.campaign, "x@example.com", "viewer").await, StatusCode::FORBIDDEN);
    let owners_story = create_story(&app, &f.owner, f.campaign, "Owner's").await;
    assert_eq!(save(&app, &f.contributor, f.campaign, owners_story, 1, "edit").await.0, StatusCode::FORBIDDEN);
    // …until the owner grants it.
    let grant = SetMemberPermissions {
        campaign_id: c,
        member_id: contributor,
        can_invite: true,
        can_edit_others_stories: true,
        can_design_books: false,
        can_manage_questions: false,
    };
    let reply = app.call(grant, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(invite(&app, &f.contributor, f.campaign, "x@example.com", "viewer").await, StatusCode::OK);
    assert_eq!(save(&app, &f.contributor, f.campaign, owners_story, 1, "edit").await.0, StatusCode::OK);
    let reply = app.call(CampaignFamily { campaign_id: c }, Some(&f.contributor)).await;
    let family: Family = serde_json::from_str(&reply.body).unwrap();
    assert!(family.may_invite);

    // Roles change; deactivated members see nothing until reactivated.
    let promote = SetMemberRole { campaign_id: c, member_id: viewer, role: "contributor".into() };
    let reply = app.call(promote, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK);
    create_story(&app, &f.viewer, f.campaign, "Now I write").await;
    let reply = app.call(SetMemberActive { campaign_id: c, member_id: viewer, active: false }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(campaign_status(&app, &f.viewer, f.campaign).await, StatusCode::NOT_FOUND);
    let reply = app.call(SetMemberActive { campaign_id: c, member_id: viewer, active: true }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(campaign_status(&app, &f.viewer, f.campaign).await, StatusCode::OK);
    // Others can't manage members.
    let demote = SetMemberRole { campaign_id: c, member_id: viewer, role: "viewer".into() };
    let reply = app.call(demote, Some(&f.contributor)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn every_member_comments_and_hearts_authors_edit_and_owners_moderate(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let story = create_story(&app, &f.contributor, f.campaign, "The farm").await;
    let (c, s) = (f.campaign, story);
    let comment = |cookie: String, body: &'static str| {
        let app = &app;
        async move { app.call(AddComment { campaign_id: c, story_id: s, body: body.into() }, Some(&cookie)).await.status }
    };
    assert_eq!(comment(f.viewer.clone(), "I remember that farm!").await, StatusCode::OK);
    assert_eq!(comment(f.contributor.clone(), "So do I.").await, StatusCode::OK);
    assert_eq!(comment(f.viewer.clone(), "   ").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(comment(f.outsider.clone(), "Hi").await, StatusCode::NOT_FOUND);

    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM story_comments ORDER BY created_at").fetch_all(&pool).await.unwrap();
    let (viewers, contributors) = (ids[0], ids[1]);
    let edit = |cookie: String, id: Uuid| {
        let app = &app;
        let args = EditComment { campaign_id: c, story_id: s, comment_id: id, body: "Edited".into() };
        async move { app.call(args, Some(&cookie)).await.status }
    };
    assert_eq!(edit(f.viewer.clone(), viewers).await, StatusCode::OK);
    assert_eq!(edit(f.viewer.clone(), contributors).await, StatusCode::FORBIDDEN);
    assert_eq!(edit(f.owner.clone(), viewers).await, StatusCode::FORBIDDEN, "owners delete, they don't rewrite");
    let delete = |cookie: String, id: Uuid| {
        let app = &app;
        async move { app.call(DeleteComment { campaign_id: c, story_id: s, comment_id: id }, Some(&cookie)).await.status }
    };
    assert_eq!(delete(f.viewer.clone(), contributors).await, StatusCode::FORBIDDEN);
    assert_eq!(delete(f.owner.clone(), contributors).await, StatusCode::OK);

    let heart = SetHeart { campaign_id: c, story_id: s, on: true };
    for cookie in [&f.viewer, &f.owner] {
        let reply = app.call(heart.clone(), Some(cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let reply = app.call(heart, Some(&f.viewer)).await;
    assert_eq!(reply.status, StatusCode::OK, "a second heart from the same person changes nothing");
    let reply = app.call(StoryConversation { campaign_id: c, story_id: s }, Some(&f.viewer)).await;
    let conversation: Conversation = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(conversation.hearts, 2);
    assert!(conversation.hearted_by_me);
    assert_eq!(conversation.comments.len(), 1);
    assert_eq!((conversation.comments[0].body.as_str(), conversation.comments[0].edited), ("Edited", true));
    let page = app.get(&format!("/campaigns/{c}/stories/{s}"), Some(&f.contributor)).await;
    assert!(page.body.contains("Edited") && page.body.contains("2 hearts"), "{}", page.body);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_finished_story_is_mailed_to_the_family_as_each_prefers(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let story = create_story(&app, &f.contributor, f.campaign, "The harvest").await;
    save(&app, &f.contributor, f.campaign, story, 1, "We brought in the **hay** before the storm.").await;
    // The owner wants a weekly summary; the outsider isn't in the family at all.
    let reply = app.call(SetStoryEmails { choice: "weekly".into() }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let finish = |status: &'static str| {
        let (app, cookie) = (&app, f.contributor.clone());
        let args = SetStoryStatus { campaign_id: f.campaign, story_id: story, status: status.into() };
        async move { app.call(args, Some(&cookie)).await.status }
    };
    assert_eq!(finish("completed").await, StatusCode::OK);
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT payload->>'to', payload->>'text' FROM jobs WHERE kind = 'mail' ORDER BY payload->>'to'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let to: Vec<&str> = mails.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(to, vec!["viewer@example.com"], "not the author, not the weekly owner, not outsiders");
    let text = &mails[0].1;
    assert!(text.contains("A story") && text.contains("We brought in the hay"), "{text}");
    assert!(text.contains(&format!("/campaigns/{}/stories/{story}", f.campaign)), "{text}");

    // Marking it completed again mails nobody: only draft → completed does.
    assert_eq!(finish("completed").await, StatusCode::OK);
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jobs WHERE kind = 'mail'").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 1);

    // The weekly reader gets one digest with it.
    let sent = mystoryflow::server::notify::send_digests(&app.state.db, &app.state.signer, "http://localhost:3000")
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let digest: String = sqlx::query_scalar(
        "SELECT payload->>'text' FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'owner@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(digest.contains("A story"), "{digest}");

    // The unsubscribe link works without logging in, and only for its own person.
    let link =
        text.lines().find_map(|l| l.split("Unsubscribe: ").nth(1)).expect("an unsubscribe link").trim().to_owned();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let forged = format!("{}{}", &token[..token.len() - 2], if token.ends_with("AA") { "BB" } else { "AA" });
    let reply = app.call(Unsubscribe { token: forged }, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = app.call(Unsubscribe { token: token.clone() }, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let choice: String =
        sqlx::query_scalar("SELECT preferences->>'story_emails' FROM users WHERE email = 'viewer@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(choice, "off");
    let page = app.get(&format!("/unsubscribe?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Stop story emails"));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users", "relatives")))]
async fn an_existing_member_logs_in_from_the_invitation_and_comes_back_to_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    assert_eq!(invite(&app, &f.owner, f.campaign, "kim@example.com", "contributor").await, StatusCode::OK);
    let token = token_of(&queued_link(&pool, "kim@example.com").await);

    // Logged out, the page offers sign-up and a log-in link that returns here.
    let page = app.get(&format!("/invitations/{token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Hello") || page.body.contains("You're invited"), "{}", page.body);
    let back = format!("/invitations/{token}");
    let encoded: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    assert!(page.body.contains(&format!("/login?next={encoded}")), "{}", page.body);

    let reply = app.log_in("kim@example.com", PASSWORD, None, Client::PlainForm).await;
    let _ = reply;
    let login = Login { email: "kim@example.com".into(), password: PASSWORD.into(), next: back.clone() };
    let reply = app.call_as(login, None, Client::PlainForm).await;
    assert_eq!(reply.header("location").as_deref(), Some(back.as_str()));
    let kim = reply.session_cookie().unwrap();
    let page = app.get(&back, Some(&kim)).await;
    assert!(page.body.contains("Join Dad"), "{}", page.body);
    assert_eq!(accept(&app, &kim, &token).await.0, StatusCode::OK);
    assert_eq!(campaign_status(&app, &kim, f.campaign).await, StatusCode::OK);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_mangled_invitation_link_gets_a_clear_page_not_a_crash(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let cookie = app.logged_in("ann@example.com").await;
    // A link broken across lines in an email client: a line break inside the token.
    let mangled = AcceptInvitation { token: "abc\ndef".into() };
    let reply = app.call_as(mangled, Some(&cookie), Client::PlainForm).await;
    assert!(reply.status.is_redirection(), "{} {}", reply.status, reply.body);
    assert_eq!(reply.header("location").as_deref(), Some("/invitations/abc%0Adef"));
    let page = app.get("/invitations/abc%0Adef", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This invitation link isn't valid"), "{}", page.body);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_invitation_carries_at_most_the_inviters_own_role(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family_of(&app, &pool).await;
    let (member, user): (Uuid, Uuid) =
        sqlx::query_as("SELECT id, user_id FROM family_members WHERE email = 'viewer@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let grant = SetMemberPermissions {
        campaign_id: f.campaign,
        member_id: member,
        can_invite: true,
        can_edit_others_stories: false,
        can_design_books: false,
        can_manage_questions: false,
    };
    let reply = app.call(grant, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // A viewer may invite viewers, not their own second address as a contributor…
    assert_eq!(
        invite(&app, &f.viewer, f.campaign, "second@example.com", "contributor").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let invited: i64 = sqlx::query_scalar("SELECT count(*) FROM family_members WHERE email = 'second@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(invited, 0, "a refused invitation changes nothing");
    assert_eq!(invite(&app, &f.viewer, f.campaign, "second@example.com", "viewer").await, StatusCode::OK);

    // …and the database refuses it too, whatever the app asks.
    let mut tx = pool.begin().await.unwrap();
    mystoryflow::server::db::act_as(&mut tx, user).await.unwrap();
    let refused = sqlx::query(
        "INSERT INTO family_members (campaign_id, email, role, status, invited_by, invited_at)
         VALUES ($1, 'third@example.com', 'contributor', 'invited', auth.uid(), NOW())",
    )
    .bind(f.campaign)
    .execute(&mut *tx)
    .await;
    assert!(refused.is_err(), "row-level security must refuse a viewer's contributor invitation");
}
