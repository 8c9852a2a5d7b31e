//! The weekly question, driven by a controllable clock: one question a week at the chosen
//! local time over eight weeks that cross a daylight-saving change, with two scheduler loops
//! running at once; and one reminder, never for an answered question.
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use http::StatusCode;
use mystoryflow::api::questions::{Questions, SaveQuestionSchedule};
use mystoryflow::server::schedule::{run_once, Slot};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::family;
use crate::helpers::TestApp;

const PUBLIC_URL: &str = "http://localhost:3000";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The family's campaign with the storyteller's address, a live link (the owner opened the
/// questions page) and `n` questions waiting.
async fn campaign_with_questions(app: &TestApp, pool: &PgPool, n: i32) -> (Uuid, String) {
    let f = family(app, pool).await;
    sqlx::query("UPDATE campaigns SET storyteller_name = 'Dad', storyteller_email = 'dad@example.com' WHERE id = $1")
        .bind(f.campaign)
        .execute(pool)
        .await
        .unwrap();
    let page = app
        .call(Questions { campaign_id: f.campaign, topic: String::new(), search: String::new() }, Some(&f.owner))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    sqlx::query(
        "INSERT INTO campaign_questions (campaign_id, question, position)
         SELECT $1, 'Question number ' || i || '?', i FROM generate_series(1, $2) AS i",
    )
    .bind(f.campaign)
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
    (f.campaign, f.owner)
}

async fn save(app: &TestApp, cookie: &str, campaign: Uuid, zone: &str, reminder: &str) -> StatusCode {
    let args = SaveQuestionSchedule {
        campaign_id: campaign,
        weekday: "7".into(),
        time: "09:00".into(),
        time_zone: zone.into(),
        reminder_days: reminder.into(),
        paused: None,
    };
    app.call(args, Some(cookie)).await.status
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn one_question_a_week_at_the_local_time_across_daylight_saving_with_two_loops(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (campaign, owner) = campaign_with_questions(&app, &pool, 12).await;
    assert_eq!(save(&app, &owner, campaign, "Mars/Olympus", "off").await, StatusCode::UNPROCESSABLE_ENTITY);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM question_schedules").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 0, "a refused schedule changes nothing");
    assert_eq!(save(&app, &owner, campaign, "America/New_York", "off").await, StatusCode::OK);

    // Sundays at 09:00 in New York from mid-February: clocks go forward on 8 March.
    let start = at("2026-02-10T00:00:00Z");
    let slot = Slot::parse("7", "09:00", "America/New_York").unwrap();
    sqlx::query("UPDATE question_schedules SET next_send_at = $1")
        .bind(slot.next_after(start))
        .execute(&pool)
        .await
        .unwrap();
    let (db, signer) = (&app.state.db, &app.state.signer);
    let mut now = start;
    let end = start + Duration::weeks(8);
    while now < end {
        let (a, b) =
            tokio::join!(run_once(db, signer, PUBLIC_URL, now, true), run_once(db, signer, PUBLIC_URL, now, true));
        a.unwrap();
        b.unwrap();
        now += Duration::hours(2);
    }
    let slots: Vec<(DateTime<Utc>, Option<Uuid>)> =
        sqlx::query_as("SELECT slot_at, question_id FROM question_deliveries ORDER BY slot_at")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(slots.len(), 8, "one slot a week: {slots:?}");
    for (slot_at, question) in &slots {
        let local = slot_at.with_timezone(&slot.zone);
        assert_eq!((local.weekday(), local.hour(), local.minute()), (chrono::Weekday::Sun, 9, 0), "{slot_at}");
        assert!(question.is_some());
    }
    let sent: Vec<String> =
        sqlx::query_scalar("SELECT question FROM campaign_questions WHERE status = 'sent' ORDER BY sent_at")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: Vec<String> = (1..=8).map(|i| format!("Question number {i}?")).collect();
    assert_eq!(sent, expected, "in queue order, each once");
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'dad@example.com' AND payload->>'subject' LIKE 'A question from%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(mails, 8, "one email per question");
    let used: i32 = sqlx::query_scalar("SELECT used_prompts FROM campaigns").fetch_one(&pool).await.unwrap();
    assert_eq!(used, 8);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_reminder_goes_once_and_never_for_an_answered_question(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (campaign, owner) = campaign_with_questions(&app, &pool, 3).await;
    assert_eq!(save(&app, &owner, campaign, "Europe/London", "4").await, StatusCode::OK);
    let now = at("2026-11-27T12:00:00Z");
    sqlx::query(
        "UPDATE campaign_questions SET status = CASE WHEN position = 1 THEN 'answered' ELSE 'sent' END,
                sent_at = $1 - CASE WHEN position = 3 THEN interval '1 day' ELSE interval '5 days' END
         WHERE position <= 3",
    )
    .bind(now)
    .execute(&pool)
    .await
    .unwrap();
    let (db, signer) = (&app.state.db, &app.state.signer);
    let (a, b) = tokio::join!(run_once(db, signer, PUBLIC_URL, now, true), run_once(db, signer, PUBLIC_URL, now, true));
    assert_eq!(a.unwrap().1 + b.unwrap().1, 1, "the question sent 5 days ago; not the answered one, not the newer one");
    assert_eq!(
        run_once(db, signer, PUBLIC_URL, now + Duration::days(10), true).await.unwrap().1,
        1,
        "the newer one, later"
    );
    assert_eq!(run_once(db, signer, PUBLIC_URL, now + Duration::days(20), true).await.unwrap().1, 0, "never twice");
    let reminded: Vec<i32> =
        sqlx::query_scalar("SELECT position FROM campaign_questions WHERE reminded_at IS NOT NULL ORDER BY position")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(reminded, [2, 3]);
    let mails: Vec<String> = sqlx::query_scalar(
        "SELECT payload->>'subject' FROM jobs WHERE kind = 'mail' AND payload->>'subject' LIKE 'Whenever you are ready%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(mails, ["Whenever you are ready: Question number 2?", "Whenever you are ready: Question number 3?"]);
}
