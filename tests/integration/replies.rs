//! Answering a question by replying to its email (#18): the real-shaped messages in
//! tests/mail, addressed to a question this server sent, through `POST /inbound/email` and
//! `mystoryflow mail receive`.
use http::StatusCode;
use mystoryflow::server::replies::{self, Ignored, Outcome};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::family;
use crate::helpers::{Reply, TestApp, INBOUND_SECRET};

/// The reply key in the samples, and the ids they reply to.
const SAMPLE_KEY: &str = "q7Hk2mZpX9";

pub(crate) fn sample(name: &str, key: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail").join(name);
    let text = std::fs::read(path).unwrap();
    // Byte-wise, so 8-bit bodies stay as they are.
    replace(&text, SAMPLE_KEY.as_bytes(), key.as_bytes())
}

pub(crate) fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

async fn post(app: &TestApp, raw: Vec<u8>, secret: Option<&str>) -> Reply {
    let mut req = http::Request::post("/inbound/email").header("content-type", "message/rfc822");
    if let Some(secret) = secret {
        req = req.header("x-inbound-secret", secret);
    }
    app.send(req.body(axum::body::Body::from(raw)).unwrap()).await
}

fn outcome(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    body["outcome"].as_str().unwrap().to_owned()
}

/// A question sent to the storyteller at `storyteller_email`; its reply key.
pub(crate) async fn sent_question(
    app: &TestApp,
    pool: &PgPool,
    campaign: Uuid,
    storyteller_email: &str,
) -> (Uuid, String) {
    sqlx::query("UPDATE campaigns SET storyteller_email = $2, storyteller_name = 'Margaret' WHERE id = $1")
        .bind(campaign)
        .bind(storyteller_email)
        .execute(pool)
        .await
        .unwrap();
    let question: Uuid = sqlx::query_scalar(
        "INSERT INTO campaign_questions (campaign_id, question, category, position, status, sent_at)
         VALUES ($1, 'What was your first job?', 'career', 1, 'sent', now()) RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap();
    (question, app.state.signer.reply_key(question))
}

pub(crate) async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

pub(crate) async fn mails_to(pool: &PgPool, to: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT payload->>'subject' FROM jobs WHERE kind = 'mail' AND payload->>'to' = $1 ORDER BY id")
        .bind(to)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_reply_becomes_the_answer_once_and_the_storyteller_is_thanked(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "Margaret.Ellis@gmail.com").await;
    let raw = sample("gmail_plain_reply.eml", &key);

    // Without the secret nothing is read.
    for secret in [None, Some("not the secret")] {
        assert_eq!(post(&app, raw.clone(), secret).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM email_replies").await, 0);

    assert_eq!(outcome(&post(&app, raw.clone(), Some(INBOUND_SECRET)).await), "answered");
    let (title, content, status, created_by): (String, String, String, Option<Uuid>) =
        sqlx::query_as("SELECT title, content, status, created_by FROM stories WHERE question_id = $1")
            .bind(question)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(title, "What was your first job?");
    assert!(content.starts_with("My first job was at Hartley's bakery on Main Street."), "{content}");
    assert!(content.ends_with("That was 1951."), "the quoted question is gone: {content}");
    assert_eq!((status.as_str(), created_by), ("completed", None), "the storyteller's answer");
    let answered: String = sqlx::query_scalar("SELECT status FROM campaign_questions WHERE id = $1")
        .bind(question)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(answered, "answered");
    assert_eq!(mails_to(&pool, "margaret.ellis@gmail.com").await, ["Thank you — your family can read it now"]);
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'answer_notice'").await, 1, "the family is told");
    let automatic = "SELECT count(*) FROM jobs WHERE kind = 'mail' AND (payload->>'auto_reply')::boolean";
    assert_eq!(count(&pool, automatic).await, 1, "the thank-you, marked Auto-Submitted: auto-replied");

    // The same message again (a retry, a second delivery): one answer, one thank-you.
    assert_eq!(outcome(&post(&app, raw, Some(INBOUND_SECRET)).await), "duplicate");
    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE question_id IS NOT NULL").await, 1);
    assert_eq!(mails_to(&pool, "margaret.ellis@gmail.com").await.len(), 1);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_photo_from_an_iphone_goes_with_the_answer_and_a_second_reply_is_added_to_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "grandma.joan@icloud.com").await;
    assert_eq!(outcome(&post(&app, sample("iphone_photo_reply.eml", &key), Some(INBOUND_SECRET)).await), "answered");
    let (story, content): (Uuid, String) = sqlx::query_as("SELECT id, content FROM stories WHERE question_id = $1")
        .bind(question)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(content.starts_with("This is me and Grandpa at Blackpool in 1958."), "{content}");
    assert!(!content.contains("Sent from my iPhone"));
    let photo: (Uuid, Option<String>) = sqlx::query_as(
        "SELECT p.id, p.original_filename FROM photos p JOIN story_photos sp ON sp.photo_id = p.id WHERE sp.story_id = $1",
    )
    .bind(story)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(photo.1.as_deref(), Some("IMG_0412.jpeg"));
    for key in mystoryflow::server::keys::photo_files(f.campaign, photo.0) {
        assert!(app.state.storage.exists(&key).await, "{key}");
    }

    // She replies again to the same question (from the storyteller's address in the other
    // sample): added to her story with a dated line, not a second story.
    sqlx::query("UPDATE campaigns SET storyteller_email = 'joan.whitfield@example.org' WHERE id = $1")
        .bind(f.campaign)
        .execute(&pool)
        .await
        .unwrap();
    let raw = sample("voice_memo_reply.eml", &key);
    assert_eq!(outcome(&post(&app, raw, Some(INBOUND_SECRET)).await), "added");
    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE question_id IS NOT NULL").await, 1);
    let (content, duration): (String, Option<i32>) =
        sqlx::query_as("SELECT content, audio_duration FROM stories WHERE id = $1")
            .bind(story)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(content.starts_with("This is me and Grandpa at Blackpool in 1958."), "{content}");
    assert!(content.contains("\n\nAdded by email on "), "{content}");
    assert!(content.ends_with("my eyes aren't what they were.\n\nLove, Mum"), "{content}");
    assert!(duration.is_some_and(|d| d > 0), "the voice memo became the story's recording");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_voice_memo_gets_a_duration_and_a_transcription_job(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "joan.whitfield@example.org").await;
    let mut state = app.state.clone();
    state.transcription_enabled = true;
    let outcome = replies::receive(&state, &sample("voice_memo_reply.eml", &key)).await.unwrap();
    let Outcome::Answered(story) = outcome else { panic!("{outcome:?}") };
    let (content, mime, duration, audio_key): (String, Option<String>, Option<i32>, Option<String>) = sqlx::query_as(
        "SELECT content, audio_mime, audio_duration, metadata->>'audio_key' FROM stories WHERE id = $1 AND question_id = $2",
    )
    .bind(story)
    .bind(question)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        content,
        "I recorded this one instead of typing it \u{2014} my eyes aren't what they were.\n\nLove, Mum"
    );
    assert_eq!(mime.as_deref(), Some("audio/mp4"));
    assert!(duration.is_some_and(|d| d > 0));
    assert!(app.state.storage.exists(&audio_key.unwrap()).await);
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'transcribe'").await, 1);
}

/// The voice memo sample with its recording attached `copies` times, each under its own name.
fn voice_memos(key: &str, copies: usize) -> Vec<u8> {
    let raw = sample("voice_memo_reply.eml", key);
    let part_start = b"--=_voice_memo_2f8c\r\nContent-Type: audio/x-m4a";
    let start = raw.windows(part_start.len()).position(|w| w == part_start).expect("the memo's part");
    let end = raw.windows(b"--=_voice_memo_2f8c--".len()).position(|w| w == b"--=_voice_memo_2f8c--").unwrap();
    let mut out = raw[..start].to_vec();
    for n in 1..=copies {
        out.extend(replace(&raw[start..end], b"Voice Memo 24 Nov", format!("Voice Memo part {n}").as_bytes()));
    }
    out.extend_from_slice(&raw[end..]);
    out
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn every_voice_memo_in_one_email_is_kept_each_as_a_story_with_its_recording(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "joan.whitfield@example.org").await;
    let mut state = app.state.clone();
    state.transcription_enabled = true;
    let outcome = replies::receive(&state, &voice_memos(&key, 3)).await.unwrap();
    let Outcome::Answered(answer) = outcome else { panic!("{outcome:?}") };
    type Story = (Uuid, String, String, Option<i32>, Option<String>);
    let stories: Vec<Story> = sqlx::query_as(
        "SELECT id, title, content, audio_duration, metadata->>'audio_key' FROM stories
         WHERE question_id = $1 ORDER BY story_order",
    )
    .bind(question)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stories.len(), 3, "one story per recording: {stories:?}");
    assert_eq!(stories[0].0, answer, "the first recording goes with the answer's words");
    assert!(stories[0].2.starts_with("I recorded this one instead of typing it"), "{}", stories[0].2);
    assert!(stories[1].1.ends_with("(recording 2)"), "{}", stories[1].1);
    assert!(stories[2].1.ends_with("(recording 3)"), "{}", stories[2].1);
    let mut keys = Vec::new();
    for (id, _, _, duration, audio_key) in &stories {
        assert!(duration.is_some_and(|d| d > 0), "story {id} has its recording");
        let audio_key = audio_key.clone().unwrap();
        assert!(audio_key.contains(&id.to_string()) || *id == answer, "{audio_key} is under its story");
        assert!(app.state.storage.exists(&audio_key).await, "{audio_key}");
        keys.push(audio_key);
    }
    keys.dedup();
    assert_eq!(keys.len(), 3, "three files, not one shared");
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'transcribe'").await, 3);
    let notes: Vec<String> =
        sqlx::query_scalar("SELECT unnest(notes) FROM email_replies").fetch_all(&pool).await.unwrap();
    assert!(notes.is_empty(), "nothing to apologise for: {notes:?}");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn strangers_are_held_and_automatic_mail_bounces_and_forgeries_are_ignored(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (_, key) = sent_question(&app, &pool, f.campaign, "margaret.ellis@gmail.com").await;

    // Bob is not the storyteller and not a member: held for the family, not published.
    assert_eq!(outcome(&post(&app, sample("outlook_html_reply.eml", &key), Some(INBOUND_SECRET)).await), "held");
    let (sender, body, raw_key): (String, String, String) =
        sqlx::query_as("SELECT sender, body, raw_key FROM email_replies WHERE status = 'held'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(sender, "bob.ellis@outlook.com");
    assert!(!body.is_empty());
    assert!(app.state.storage.exists(&raw_key).await, "the message is kept to publish it later");
    assert!(mails_to(&pool, "bob.ellis@outlook.com").await.is_empty(), "no thanks for held mail");

    assert_eq!(
        outcome(&post(&app, sample("out_of_office.eml", &key), Some(INBOUND_SECRET)).await),
        "ignored: automatic reply"
    );
    assert_eq!(outcome(&post(&app, sample("bounce.eml", &key), Some(INBOUND_SECRET)).await), "ignored: bounce");
    let mut forged = key.clone().into_bytes();
    forged[51] = if forged[51] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    let reply = post(&app, sample("gmail_plain_reply.eml", &forged), Some(INBOUND_SECRET)).await;
    assert_eq!(outcome(&reply), "ignored: unknown recipient");
    let another_server = mystoryflow::server::signing::Signer::new([9; 32]).reply_key(Uuid::new_v4());
    let reply = post(&app, sample("gmail_plain_reply.eml", &another_server), Some(INBOUND_SECRET)).await;
    assert_eq!(outcome(&reply), "ignored: unknown recipient");

    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE question_id IS NOT NULL").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM email_replies").await, 1);
    assert!(mails_to(&pool, "margaret.ellis@gmail.com").await.is_empty());
    let junk = replies::receive(&app.state, b" \r\n\r\n ").await.unwrap();
    assert_eq!(junk, Outcome::Ignored(Ignored::Unreadable));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_heic_photo_is_refused_in_words_the_family_sees_with_the_answer(pool: PgPool) {
    use mystoryflow::api::questions::Questions;
    use mystoryflow::model::question::QuestionsPage;
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "dorothy@palmerflorists.example").await;
    assert_eq!(outcome(&post(&app, sample("heic_logo_reply.eml", &key), Some(INBOUND_SECRET)).await), "answered");
    assert_eq!(count(&pool, "SELECT count(*) FROM photos").await, 0, "neither the HEIC nor the signature logo");
    let page = |cookie: String| {
        let app = &app;
        async move {
            let args = Questions { campaign_id: f.campaign, topic: String::new(), search: String::new() };
            let page: QuestionsPage = serde_json::from_str(&app.call(args, Some(&cookie)).await.body).unwrap();
            page.asked.into_iter().find(|q| q.id == question).unwrap().email_notes
        }
    };
    let notes = page(f.owner.clone()).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("HEIC"), "{notes:?}");
    assert!(page(f.viewer.clone()).await.is_empty(), "for those who manage the questions");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_reply_found_by_in_reply_to_alone_is_matched(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "margaret.ellis@gmail.com").await;
    // A mail program that replied to MAIL_FROM instead of Reply-To: only the ids say which
    // question; ours is the key at our domain.
    let raw = sample("gmail_plain_reply.eml", "nothing");
    let raw = replace(&raw, b"question.4b1f0c2e@", format!("{key}@").as_bytes());
    assert_eq!(outcome(&post(&app, raw, Some(INBOUND_SECRET)).await), "answered");
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM stories WHERE question_id = '{question}'")).await, 1);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn mail_receive_reads_standard_input_and_exits_as_mail_servers_expect(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "margaret.ellis@gmail.com").await;
    let data_dir = app.data_dir().to_string_lossy().into_owned();
    // The test app's signing key ([1; 32]) and media folder.
    let env = [("MSF_SECRET_KEY", "01".repeat(32)), ("MSF_DATA_DIR", data_dir)];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let (code, out) =
        crate::helpers::run_binary_stdin(&pool, &["mail", "receive"], &env, &sample("gmail_plain_reply.eml", &key))
            .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("answered"), "{out}");
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM stories WHERE question_id = '{question}'")).await, 1);

    let unknown = sample("gmail_plain_reply.eml", "q7Hk2mZpX9");
    let (code, out) = crate::helpers::run_binary_stdin(&pool, &["mail", "receive"], &env, &unknown).await;
    assert_eq!(code, Some(67), "EX_NOUSER: {out}");

    let mut down = env.clone();
    down.push(("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"));
    let (code, out) =
        crate::helpers::run_binary_stdin(&pool, &["mail", "receive"], &down, &sample("gmail_plain_reply.eml", &key))
            .await;
    assert_eq!(code, Some(75), "EX_TEMPFAIL: {out}");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_family_publishes_or_discards_what_was_held(pool: PgPool) {
    use mystoryflow::api::questions::{DiscardEmailedReply, PublishEmailedReply, Questions};
    use mystoryflow::model::question::QuestionsPage;
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "margaret.ellis@gmail.com").await;
    // Bob (not the storyteller) sends a photo from his iPhone, then an HTML reply.
    assert_eq!(outcome(&post(&app, sample("iphone_photo_reply.eml", &key), Some(INBOUND_SECRET)).await), "held");
    assert_eq!(outcome(&post(&app, sample("outlook_html_reply.eml", &key), Some(INBOUND_SECRET)).await), "held");

    let page = |cookie: String| {
        let app = &app;
        async move {
            let args = Questions { campaign_id: f.campaign, topic: String::new(), search: String::new() };
            let reply = app.call(args, Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            serde_json::from_str::<QuestionsPage>(&reply.body).unwrap()
        }
    };
    let held = page(f.owner.clone()).await.held;
    assert_eq!(held.len(), 2);
    assert_eq!(held[0].sender, "grandma.joan@icloud.com");
    assert_eq!(held[0].question.as_deref(), Some("What was your first job?"));
    assert!(held[0].body.starts_with("This is me and Grandpa at Blackpool"), "{}", held[0].body);
    assert!(page(f.viewer.clone()).await.held.is_empty(), "viewers don't see held mail");

    // A viewer can't decide; the owner publishes the first as the storyteller's answer.
    let publish = |reply_id| PublishEmailedReply { campaign_id: f.campaign, reply_id };
    assert_eq!(app.call(publish(held[0].id), Some(&f.viewer)).await.status, StatusCode::FORBIDDEN);
    let reply = app.call(publish(held[0].id), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (story, created_by): (Uuid, Option<Uuid>) =
        sqlx::query_as("SELECT id, created_by FROM stories WHERE question_id = $1")
            .bind(question)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created_by, None);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM story_photos WHERE story_id = '{story}'")).await, 1);
    assert!(mails_to(&pool, "grandma.joan@icloud.com").await.is_empty(), "no thanks for held mail");
    let again = app.call(publish(held[0].id), Some(&f.owner)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // The second is discarded: never published, its stored message gone.
    let raw_key: String = sqlx::query_scalar("SELECT raw_key FROM email_replies WHERE id = $1")
        .bind(held[1].id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let discard = DiscardEmailedReply { campaign_id: f.campaign, reply_id: held[1].id };
    assert_eq!(app.call(discard, Some(&f.owner)).await.status, StatusCode::OK);
    assert!(!app.state.storage.exists(&raw_key).await);
    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE question_id IS NOT NULL").await, 1);
    assert!(page(f.owner.clone()).await.held.is_empty());
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn held_mail_counts_against_the_campaigns_hourly_answers(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (_, key) = sent_question(&app, &pool, f.campaign, "margaret.ellis@gmail.com").await;
    let raw = sample("outlook_html_reply.eml", &key);
    let message = |n: usize| replace(&raw, b"<DB9PR02MB7481C2E3", format!("<n{n}-DB9PR02MB7481C2E3").as_bytes());
    for n in 0..30 {
        assert_eq!(outcome(&post(&app, message(n), Some(INBOUND_SECRET)).await), "held", "{n}");
    }
    let over = post(&app, message(30), Some(INBOUND_SECRET)).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM email_replies").await, 30);
}
