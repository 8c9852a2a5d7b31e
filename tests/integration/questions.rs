//! Questions for the storyteller: the library, the queue and who may change it, with
//! campaigns.total_prompts and used_prompts kept by the database.
use http::StatusCode;
use mystoryflow::api::questions::{AddPrompt, MoveQuestion, Questions, RemoveQuestion, SkipQuestion, WriteQuestion};
use mystoryflow::model::question::{QuestionsPage, TOPICS};
use mystoryflow::server::db;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::family;
use crate::helpers::{Client, TestApp};

async fn page(app: &TestApp, cookie: &str, campaign: Uuid, topic: &str, search: &str) -> QuestionsPage {
    let reply =
        app.call(Questions { campaign_id: campaign, topic: topic.into(), search: search.into() }, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn counters(pool: &PgPool, campaign: Uuid) -> (i32, i32) {
    sqlx::query_as("SELECT total_prompts, used_prompts FROM campaigns WHERE id = $1")
        .bind(campaign)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn queue_of(page: &QuestionsPage) -> Vec<String> {
    page.queue.iter().map(|q| q.question.clone()).collect()
}

#[sqlx::test]
async fn the_library_has_at_least_150_distinct_questions_in_every_topic(pool: PgPool) {
    let (total, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT lower(question)) FROM prompts").fetch_one(&pool).await.unwrap();
    assert!(total >= 150, "{total}");
    assert_eq!(total, distinct);
    for (topic, _) in TOPICS {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM prompts WHERE topic = $1")
            .bind(topic)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(n >= 10, "{topic}: {n}");
    }
    let vague: i64 =
        sqlx::query_scalar("SELECT count(*) FROM prompts WHERE question ILIKE 'Tell me about your childhood%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(vague, 0);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_owner_builds_the_queue_and_the_database_counts_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let start = page(&app, &f.owner, f.campaign, "childhood", "").await;
    assert!(start.may_manage);
    assert!(start.library.iter().all(|p| p.topic == "childhood") && start.library.len() >= 10);
    let street = start.library.iter().find(|p| p.question.contains("street sound like")).unwrap().id;

    let add = |prompt_id| AddPrompt { campaign_id: f.campaign, prompt_id };
    assert_eq!(app.call(add(street), Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(app.call(add(street), Some(&f.owner)).await.status, StatusCode::OK, "a second click adds nothing");
    let written = WriteQuestion {
        campaign_id: f.campaign,
        question: "  What was Grandma's kitchen like?  ".into(),
        category: "family".into(),
    };
    assert_eq!(app.call(written, Some(&f.owner)).await.status, StatusCode::OK);
    let searched = page(&app, &f.owner, f.campaign, "", "wedding day").await;
    assert!(
        !searched.library.is_empty()
            && searched.library.iter().all(|p| p.question.to_lowercase().contains("wedding day"))
    );
    let wedding = searched.library[0].id;
    app.call(add(wedding), Some(&f.owner)).await;

    let now = page(&app, &f.owner, f.campaign, "childhood", "").await;
    assert_eq!(now.queue.len(), 3);
    assert_eq!(now.queue[1].question, "What was Grandma's kitchen like?");
    assert_eq!(now.queue[1].category, "family");
    assert!(now.library.iter().all(|p| p.id != street), "chosen questions leave the library list");
    assert_eq!(counters(&pool, f.campaign).await, (3, 0));

    // Move the last one up twice: it is first; moving the first up changes nothing.
    let last = now.queue[2].id;
    for _ in 0..3 {
        let reply =
            app.call(MoveQuestion { campaign_id: f.campaign, question_id: last, up: true }, Some(&f.owner)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let moved = page(&app, &f.owner, f.campaign, "", "").await;
    assert_eq!(moved.queue[0].id, last);
    assert_eq!(queue_of(&moved)[1..], queue_of(&now)[..2]);

    // Skip one, remove another: the counters follow.
    let skip = SkipQuestion { campaign_id: f.campaign, question_id: moved.queue[1].id };
    assert_eq!(app.call(skip, Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(counters(&pool, f.campaign).await, (2, 0));
    let remove = RemoveQuestion { campaign_id: f.campaign, question_id: moved.queue[2].id };
    assert_eq!(app.call(remove, Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(counters(&pool, f.campaign).await, (1, 0));
    let after = page(&app, &f.viewer, f.campaign, "", "").await;
    assert_eq!((after.queue.len(), after.asked.len(), after.may_manage), (1, 1, false), "the viewer sees the list");

    // Sent and answered questions count as used, whatever path changes them (here: SQL).
    sqlx::query(
        "UPDATE campaign_questions SET status = 'sent', sent_at = NOW() WHERE campaign_id = $1 AND status = 'queued'",
    )
    .bind(f.campaign)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(counters(&pool, f.campaign).await, (1, 1));
    let sent = page(&app, &f.owner, f.campaign, "", "").await.asked.into_iter().find(|q| q.sent_at.is_some()).unwrap();
    let reply = app.call(RemoveQuestion { campaign_id: f.campaign, question_id: sent.id }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "a sent question stays: {}", reply.body);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn only_members_allowed_to_manage_questions_change_the_queue(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let written =
        |text: &str| WriteQuestion { campaign_id: f.campaign, question: text.into(), category: String::new() };
    assert_eq!(app.call(written("From the contributor?"), Some(&f.contributor)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(written("From the viewer?"), Some(&f.viewer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(written("From outside?"), Some(&f.outsider)).await.status, StatusCode::NOT_FOUND);
    sqlx::query("UPDATE family_members SET permissions = '{\"can_manage_questions\": true}' WHERE email = 'contributor@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(app.call(written("What was your first car?"), Some(&f.contributor)).await.status, StatusCode::OK);
    assert_eq!(counters(&pool, f.campaign).await, (1, 0), "counted although a contributor may not update the campaign");

    // Bad input: a clear message, nothing written.
    let reply = app.call_as(written("  "), Some(&f.owner), Client::Script).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Please write the question"), "{}", reply.body);
    let odd =
        WriteQuestion { campaign_id: f.campaign, question: "Where did you dance?".into(), category: "made-up".into() };
    assert_eq!(app.call(odd, Some(&f.owner)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(counters(&pool, f.campaign).await, (1, 0));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn row_level_security_keeps_queues_to_their_families(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    app.call(
        WriteQuestion { campaign_id: f.campaign, question: "What did you sing?".into(), category: String::new() },
        Some(&f.owner),
    )
    .await;
    let user = |email: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let run = |who: Uuid, sql: &'static str| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await.unwrap();
            db::act_as(&mut tx, who).await.unwrap();
            let result = sqlx::query(sql).bind(f.campaign).execute(&mut *tx).await.map(|r| r.rows_affected());
            tx.rollback().await.unwrap();
            result
        }
    };
    let select = "SELECT 1 FROM campaign_questions WHERE campaign_id = $1";
    let update = "UPDATE campaign_questions SET question = 'Changed?' WHERE campaign_id = $1";
    let delete = "DELETE FROM campaign_questions WHERE campaign_id = $1";
    let insert = "INSERT INTO campaign_questions (campaign_id, question, position, created_by) VALUES ($1, 'Sneaked in?', 99, auth.uid())";
    let (viewer, contributor, outsider, owner) = (
        user("viewer@example.com").await,
        user("contributor@example.com").await,
        user("outsider@example.com").await,
        user("owner@example.com").await,
    );
    assert_eq!(run(viewer, select).await.unwrap(), 1, "members read the queue");
    assert_eq!(run(outsider, select).await.unwrap(), 0, "others do not");
    for who in [viewer, contributor, outsider] {
        assert_eq!(run(who, update).await.unwrap(), 0);
        assert_eq!(run(who, delete).await.unwrap(), 0);
        assert!(run(who, insert).await.is_err(), "no insert without can_manage_questions");
    }
    assert_eq!(run(owner, update).await.unwrap(), 1);
    assert!(run(owner, insert).await.is_ok());
    let mut tx = pool.begin().await.unwrap();
    db::act_as(&mut tx, viewer).await.unwrap();
    assert!(
        sqlx::query("UPDATE prompts SET question = 'Changed?'").execute(&mut *tx).await.is_err(),
        "the library is read-only"
    );
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_photo_question_is_about_one_of_the_campaigns_photos_once(pool: PgPool) {
    use mystoryflow::api::questions::AskAboutPhoto;
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let photo_in = |campaign: Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "INSERT INTO photos (user_id, campaign_id, filename, url, caption)
                 SELECT id, $1, 'porch.jpg', 'x', 'The porch in 1962' FROM users WHERE email = 'owner@example.com' RETURNING id",
            )
            .bind(campaign)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let porch = photo_in(f.campaign).await;
    let before = page(&app, &f.owner, f.campaign, "", "").await;
    assert_eq!(before.photos.len(), 1);
    assert_eq!(before.photos[0].caption.as_deref(), Some("The porch in 1962"));
    for _ in 0..2 {
        let reply = app.call(AskAboutPhoto { campaign_id: f.campaign, photo_id: porch }, Some(&f.owner)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let after = page(&app, &f.owner, f.campaign, "", "").await;
    assert_eq!(after.queue.len(), 1, "asked about once");
    assert_eq!(after.queue[0].photo_id, Some(porch));
    assert_eq!(after.queue[0].question, "Tell us about this picture.");
    assert!(after.photos.is_empty());

    // Another family's photo is not this campaign's to ask about.
    let other_campaign = crate::fixtures::create_campaign(&app, &f.outsider, "Elsewhere", "10").await;
    let elsewhere = photo_in(other_campaign).await;
    let reply = app.call(AskAboutPhoto { campaign_id: f.campaign, photo_id: elsewhere }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(counters(&pool, f.campaign).await, (1, 0));
}

async fn statuses(pool: &PgPool, campaign: Uuid) -> Vec<(String, String)> {
    sqlx::query_as("SELECT question, status FROM campaign_questions WHERE campaign_id = $1 ORDER BY position")
        .bind(campaign)
        .fetch_all(pool)
        .await
        .unwrap()
}

fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("msf-cards-{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    std::fs::remove_file(&path).unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn question_cards_hand_over_the_next_questions_and_print_every_open_one(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let cards = mystoryflow::urls::question_cards(f.campaign);
    let (status, _, body) =
        app.post_form(&cards, &[("paper", "a4"), ("more", "2")], Some(&f.owner), Client::Script).await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing to print yet: {}", String::from_utf8_lossy(&body));
    for q in ["What did your street sound like?", "Who taught you to swim?", "What was your first job?"] {
        let reply = app
            .call(
                WriteQuestion { campaign_id: f.campaign, question: q.into(), category: "family".into() },
                Some(&f.owner),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    // Refused input changes nothing.
    for form in [&[("paper", "a3"), ("more", "2")][..], &[("paper", "a4"), ("more", "13")]] {
        let (status, _, _) = app.post_form(&cards, form, Some(&f.owner), Client::Script).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
    }
    // Only those who manage questions print cards (and hand questions over).
    for cookie in [&f.contributor, &f.viewer] {
        let (status, _, _) =
            app.post_form(&cards, &[("paper", "a4"), ("more", "2")], Some(cookie), Client::Script).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _, _) =
        app.post_form(&cards, &[("paper", "a4"), ("more", "2")], Some(&f.outsider), Client::Script).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(statuses(&pool, f.campaign).await.iter().all(|(_, s)| s == "queued"));
    assert_eq!(counters(&pool, f.campaign).await, (3, 0));

    let (status, headers, pdf) =
        app.post_form(&cards, &[("paper", "letter"), ("more", "2")], Some(&f.owner), Client::PlainForm).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    assert!(text.contains("What did your street sound like?") && text.contains("Who taught you to swim?"), "{text}");
    assert!(!text.contains("What was your first job?"), "the third stays in the queue: {text}");
    let now: Vec<String> = statuses(&pool, f.campaign).await.into_iter().map(|(_, s)| s).collect();
    assert_eq!(now, ["sent", "sent", "queued"]);
    assert_eq!(counters(&pool, f.campaign).await, (3, 2));

    // Printing again hands over nothing new and prints the same open questions.
    let (status, _, again) = app.post_form(&cards, &[("paper", "a4")], Some(&f.owner), Client::Script).await;
    assert_eq!(status, StatusCode::OK);
    // The address wraps where the paper makes it, and a break after a '-' of the link's
    // (random) token loses that '-' in the extracted text.
    let unwrapped = |t: &str| t.replace([' ', '-'], "");
    assert_eq!(unwrapped(&pdf_text(&again)), unwrapped(&text), "the same cards (the address wraps by paper)");
    assert_eq!(counters(&pool, f.campaign).await, (3, 2));

    // A plain form's mistake goes back to the form, with the error kept for the page.
    let (status, headers, _) =
        app.post_form(&cards, &[("paper", "a4"), ("more", "99")], Some(&f.owner), Client::PlainForm).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("{}#cards", mystoryflow::urls::questions(f.campaign)));
    let after = page(&app, &f.owner, f.campaign, "", "").await;
    assert_eq!(after.queue.len(), 1);
    assert!(after.asked.iter().all(|q| q.sent_at.is_some() && q.story_id.is_none()));
}
