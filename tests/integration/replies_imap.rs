//! The IMAP way in (#18) against a real IMAP server: scripts/test.sh starts a throwaway
//! Dovecot (scripts/imap-test-server.sh) and names it in MSF_TEST_IMAP_URL. Each test
//! watches a mailbox of its own.
use std::time::Duration;

use mystoryflow::server::replies::imap::{self, ImapSource, Session};
use mystoryflow::server::replies::{self, Outcome};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::family;
use crate::helpers::TestApp;
use crate::replies::{count, mails_to, replace, sample, sent_question};

fn server() -> String {
    std::env::var("MSF_TEST_IMAP_URL").expect(
        "MSF_TEST_IMAP_URL is not set: run scripts/test.sh, or start `scripts/imap-test-server.sh DIR PORT` \
         and set MSF_TEST_IMAP_URL=imap://testuser:testpass@127.0.0.1:PORT",
    )
}

/// A mailbox for this test alone, and the source the watcher is given for it.
async fn mailbox() -> (ImapSource, Session) {
    let name = format!("replies-{}", Uuid::new_v4().simple());
    let source = ImapSource::parse(&format!("{}/{name}?processed={name}-done", server())).unwrap();
    let mut postman = imap::connect(&ImapSource::parse(&server()).unwrap()).await.unwrap();
    postman.create(&name).await.unwrap();
    (source, postman)
}

async fn deliver(postman: &mut Session, source: &ImapSource, raw: &[u8]) {
    postman.append(&source.mailbox, None, None, raw).await.unwrap();
}

async fn messages(postman: &mut Session, folder: &str) -> u32 {
    postman.status(folder, "(MESSAGES)").await.unwrap().exists
}

/// Waits (up to 30 s) until the watched mailbox is empty and `done` messages were filed.
async fn until_filed(postman: &mut Session, source: &ImapSource, done: u32) {
    for _ in 0..300 {
        if messages(postman, &source.mailbox).await == 0 && messages(postman, &source.processed).await == done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the watcher did not file the mail: {} waiting, {} processed",
        messages(postman, &source.mailbox).await,
        messages(postman, &source.processed).await
    );
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_watcher_turns_a_reply_in_the_mailbox_into_the_answer_and_files_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (question, key) = sent_question(&app, &pool, f.campaign, "Margaret.Ellis@gmail.com").await;
    let (source, mut postman) = mailbox().await;
    let reply = sample("gmail_plain_reply.eml", &key);
    deliver(&mut postman, &source, &reply).await;
    deliver(&mut postman, &source, &sample("out_of_office.eml", &key)).await;

    let watcher = tokio::spawn(imap::run_watcher(app.state.clone(), source.clone()));
    until_filed(&mut postman, &source, 2).await;
    let stories = "SELECT count(*) FROM stories WHERE question_id IS NOT NULL";
    assert_eq!(count(&pool, stories).await, 1, "the reply answered; the out-of-office did not");
    let content: String = sqlx::query_scalar("SELECT content FROM stories WHERE question_id = $1")
        .bind(question)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(content.starts_with("My first job was at Hartley's bakery on Main Street."), "{content}");
    assert_eq!(mails_to(&pool, "margaret.ellis@gmail.com").await, ["Thank you — your family can read it now"]);

    // A second reply while the watcher waits (IDLE): added to her story.
    let second = replace(&reply, b"CAF3xQ2k9pL7rTz", b"CAF3xQ2k9pL7rTa");
    deliver(&mut postman, &source, &second).await;
    until_filed(&mut postman, &source, 3).await;
    assert_eq!(count(&pool, stories).await, 1);
    let content: String = sqlx::query_scalar("SELECT content FROM stories WHERE question_id = $1")
        .bind(question)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(content.contains("Added by email on"), "{content}");
    watcher.abort();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_watcher_stopped_between_the_answer_and_the_move_makes_no_second_story(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (_, key) = sent_question(&app, &pool, f.campaign, "Margaret.Ellis@gmail.com").await;
    let (source, mut postman) = mailbox().await;
    deliver(&mut postman, &source, &sample("gmail_plain_reply.eml", &key)).await;

    // The watcher's own steps up to the answer, then the connection is gone: it died before
    // moving the message.
    let mut dying = imap::connect(&source).await.unwrap();
    let waiting = imap::waiting(&mut dying).await.unwrap();
    assert_eq!(waiting.len(), 1);
    let raw = imap::fetch(&mut dying, waiting[0].0).await.unwrap().unwrap();
    assert!(matches!(replies::receive(&app.state, &raw).await.unwrap(), Outcome::Answered(_)));
    drop(dying);
    assert_eq!(messages(&mut postman, &source.mailbox).await, 1, "still waiting in the mailbox");

    // Started again, it takes the message again: the same answer, filed this time.
    let watcher = tokio::spawn(imap::run_watcher(app.state.clone(), source.clone()));
    until_filed(&mut postman, &source, 1).await;
    assert_eq!(count(&pool, "SELECT count(*) FROM stories WHERE question_id IS NOT NULL").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM email_replies").await, 1);
    assert_eq!(mails_to(&pool, "margaret.ellis@gmail.com").await.len(), 1, "thanked once");
    watcher.abort();
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_error() {
    let url = server().replace("testpass", "wrong");
    let Err(err) = imap::connect(&ImapSource::parse(&url).unwrap()).await else {
        panic!("logged in with a wrong password");
    };
    let message = format!("{err:#}");
    assert!(message.contains("logging in to 127.0.0.1 as testuser"), "{message}");
}
