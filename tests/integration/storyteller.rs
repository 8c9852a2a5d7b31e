//! The storyteller's link: answering without an account (writing, a recording), skipping,
//! the owner replacing the link, the family's email, and role `storyteller`'s row-level
//! security, which confines a link to exactly its campaign's questions and answers.
use http::StatusCode;
use mystoryflow::api::questions::{ReplaceStorytellerLink, SendQuestionNow, StorytellerLink};
use mystoryflow::api::storyteller::{AnswerInWriting, OpenStorytellerLink, SkipMyQuestion};
use mystoryflow::model::question::QuestionStatus;
use mystoryflow::model::storyteller::StorytellerPage;
use mystoryflow::server::db::storyteller::token_hash;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{create_campaign, family, media_file};
use crate::helpers::TestApp;

/// A question already sent to `campaign`'s storyteller, optionally about `photo`.
pub async fn sent_question(pool: &PgPool, campaign: Uuid, photo: Option<Uuid>) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO campaign_questions (campaign_id, question, category, photo_id, position, status, sent_at)
         SELECT $1, 'What did your street sound like?', 'childhood', $2, coalesce(max(position), 0) + 1, 'sent', NOW()
         FROM campaign_questions WHERE campaign_id = $1
         RETURNING id",
    )
    .bind(campaign)
    .bind(photo)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A live storyteller link for `campaign`; returns its token.
pub async fn link(app: &TestApp, pool: &PgPool, campaign: Uuid) -> String {
    let id = Uuid::new_v4();
    let token = app.state.signer.storyteller_token(id);
    sqlx::query("INSERT INTO storyteller_links (id, campaign_id, token_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(campaign)
        .bind(token_hash(&token))
        .execute(pool)
        .await
        .unwrap();
    token
}

async fn open(app: &TestApp, token: &str) -> (StatusCode, Option<StorytellerPage>) {
    let reply = app.call(OpenStorytellerLink { token: token.into(), q: String::new() }, None).await;
    (reply.status, serde_json::from_str(&reply.body).ok())
}

fn token_of(url: &str) -> String {
    url.rsplit("/s/").next().unwrap().to_owned()
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_storyteller_answers_in_writing_and_the_family_gets_a_story(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    sqlx::query("UPDATE campaigns SET storyteller_name = 'Dad', storyteller_email = 'dad@example.com' WHERE id = $1")
        .bind(f.campaign)
        .execute(&pool)
        .await
        .unwrap();
    let prompt: (Uuid, String) =
        sqlx::query_as("SELECT id, question FROM prompts WHERE topic = 'childhood' ORDER BY position LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    app.call(mystoryflow::api::questions::AddPrompt { campaign_id: f.campaign, prompt_id: prompt.0 }, Some(&f.owner))
        .await;
    let reply = app.call(StorytellerLink { campaign_id: f.campaign }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let url: String = serde_json::from_str(&reply.body).unwrap();
    assert!(url.starts_with("http://localhost:3000/s/"), "{url}");
    let token = token_of(&url);
    assert_eq!(token.len(), 43, "256 bits, base64url");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM storyteller_links").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, token_hash(&token), "only the hash is stored");
    let again = app.call(StorytellerLink { campaign_id: f.campaign }, Some(&f.owner)).await;
    assert_eq!(serde_json::from_str::<String>(&again.body).unwrap(), url, "the same link every time");

    let (_, page) = open(&app, &token).await;
    let Some(StorytellerPage::Open(view)) = page else { panic!("{page:?}") };
    assert!(view.current.is_none() && view.earlier.is_empty(), "nothing sent yet: the queue stays private");

    let reply = app.call(SendQuestionNow { campaign_id: f.campaign }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mail: serde_json::Value =
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'dad@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(mail["to"], "dad@example.com");
    assert!(mail["text"].as_str().unwrap().contains(&prompt.1), "the question is in the email");
    assert!(mail["html"].as_str().unwrap().contains(&format!("/s/{token}?q=")), "one button to the page");
    let owner_name: String =
        sqlx::query_scalar("SELECT name FROM users WHERE email = 'owner@example.com'").fetch_one(&pool).await.unwrap();
    assert_eq!(mail["from_name"], owner_name.as_str(), "sent in the family's name");

    let (_, page) = open(&app, &token).await;
    let Some(StorytellerPage::Open(view)) = page else { panic!("{page:?}") };
    let question = view.current.expect("the question just sent");
    assert_eq!(question.question, prompt.1);
    assert_eq!(view.storyteller_name.as_deref(), Some("Dad"));

    let blank = AnswerInWriting { token: token.clone(), question_id: question.id, answer: "  ".into() };
    assert_eq!(app.call(blank, None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let written = || AnswerInWriting {
        token: token.clone(),
        question_id: question.id,
        answer: "Trams, and the baker's bell.".into(),
    };
    let reply = app.call(written(), None).await;
    assert!(reply.status.is_success() || reply.status.is_redirection(), "{} {}", reply.status, reply.body);
    type Row = (String, String, Option<String>, String, Option<Uuid>, Option<Uuid>, Option<Uuid>);
    let story: Row = sqlx::query_as(
        "SELECT title, content, category, status, created_by, question_id, prompt_id FROM stories WHERE campaign_id = $1",
    )
    .bind(f.campaign)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(story.0, prompt.1, "titled with the question");
    assert_eq!(story.1, "Trams, and the baker's bell.");
    assert_eq!(story.2.as_deref(), Some("childhood"));
    assert_eq!(story.3, "completed");
    assert_eq!(story.4, None, "the storyteller is the author, not a member");
    assert_eq!(story.5, Some(question.id));
    assert_eq!(story.6, Some(prompt.0), "the prompt is recorded on the story");
    let status: String = sqlx::query_scalar("SELECT status FROM campaign_questions WHERE id = $1")
        .bind(question.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "answered");

    // Sent again (a retry after a lost reply): nothing new.
    let reply = app.call(written(), None).await;
    assert!(reply.status.is_success() || reply.status.is_redirection(), "{}", reply.body);
    let stories: i64 = sqlx::query_scalar("SELECT count(*) FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(stories, 1);

    // The family hears of it: every member who wants every story.
    let db = &app.state.db;
    assert!(mystoryflow::server::notify::run_answer_notice_once(db, &app.state.signer, "http://localhost:3000")
        .await
        .unwrap());
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT payload->>'to' FROM jobs WHERE kind = 'mail' AND payload->>'subject' LIKE 'New story:%' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(to, ["contributor@example.com", "owner@example.com", "viewer@example.com"]);

    let (_, page) = open(&app, &token).await;
    let Some(StorytellerPage::Open(view)) = page else { panic!() };
    assert!(view.current.is_none());
    assert_eq!(view.earlier[0].status, QuestionStatus::Answered);
    assert_eq!(view.earlier[0].answer.as_ref().unwrap().text, "Trams, and the baker's bell.");

    // The owner sees when it was sent and answered, with the answer, and edits it together
    // with the storyteller: the storyteller stays its author.
    let reply = app
        .call(
            mystoryflow::api::questions::Questions {
                campaign_id: f.campaign,
                topic: String::new(),
                search: String::new(),
            },
            Some(&f.owner),
        )
        .await;
    let questions: mystoryflow::model::question::QuestionsPage = serde_json::from_str(&reply.body).unwrap();
    let asked = questions.asked.iter().find(|q| q.id == question.id).unwrap();
    let story_id = asked.story_id.expect("the answer is linked");
    assert!(asked.sent_at.is_some() && asked.answered_at.is_some());
    let show = || app.call(mystoryflow::api::stories::Story { campaign_id: f.campaign, story_id }, Some(&f.owner));
    let detail: mystoryflow::model::story::StoryDetail = serde_json::from_str(&show().await.body).unwrap();
    assert_eq!(detail.author.as_deref(), Some("Dad"));
    let edit = mystoryflow::api::stories::SaveStory {
        campaign_id: f.campaign,
        story_id,
        version: detail.version,
        title: detail.title.clone(),
        content: "Trams, the baker's bell, and the swifts at dusk.".into(),
        category: "childhood".into(),
        custom_category: String::new(),
        overwrite: false,
    };
    let reply = app.call(edit, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let detail: mystoryflow::model::story::StoryDetail = serde_json::from_str(&show().await.body).unwrap();
    assert_eq!(detail.content, "Trams, the baker's bell, and the swifts at dusk.");
    assert_eq!(detail.author.as_deref(), Some("Dad"), "still the storyteller's story");
    let list = app.call(mystoryflow::api::stories::Stories { campaign_id: f.campaign }, Some(&f.owner)).await;
    let list: mystoryflow::model::story::StoryList = serde_json::from_str(&list.body).unwrap();
    assert_eq!(list.stories[0].author.as_deref(), Some("Dad"), "and so in the list");
    let author: Option<Uuid> = sqlx::query_scalar("SELECT created_by FROM stories WHERE id = $1")
        .bind(story_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(author, None);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_recorded_answer_is_stored_and_the_family_can_play_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let question = sent_question(&pool, f.campaign, None).await;
    let token = link(&app, &pool, f.campaign).await;
    let fields = [("question_id", question.to_string())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let address = format!("/s/{token}/answer");
    let program = b"MZ\x90\x00 not a recording".to_vec();
    let refused = app.upload_with(&address, &fields, "audio", &[("answer.mp3", &program)], None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let speech = media_file("speech.wav");
    let reply = app.upload_with(&address, &fields, "audio", &[("answer.wav", &speech)], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let again = app.upload_with(&address, &fields, "audio", &[("answer.wav", &speech)], None).await;
    assert!(again.body.contains("\"already_answered\":true"), "{}", again.body);
    let (story, url): (Uuid, Option<String>) =
        sqlx::query_as("SELECT id, audio_url FROM stories").fetch_one(&pool).await.expect("exactly one story");
    let url = url.expect("the recording");
    let (status, _, bytes) = app.get_bytes(&url, Some(&f.viewer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.len(), speech.len());
    assert!(url.contains(&story.to_string()));

    let bad = app.upload_with(&format!("/s/{token}x/answer"), &fields, "audio", &[("a.wav", &speech)], None).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_replaced_link_says_whom_to_ask_and_opens_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    sent_question(&pool, f.campaign, None).await;
    let reply = app.call(StorytellerLink { campaign_id: f.campaign }, Some(&f.owner)).await;
    let old = token_of(&serde_json::from_str::<String>(&reply.body).unwrap());
    assert!(matches!(open(&app, &old).await.1, Some(StorytellerPage::Open(_))));
    let viewer = app.call(ReplaceStorytellerLink { campaign_id: f.campaign }, Some(&f.viewer)).await;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN);
    app.call(ReplaceStorytellerLink { campaign_id: f.campaign }, Some(&f.owner)).await;
    let (status, page) = open(&app, &old).await;
    assert_eq!(status, StatusCode::OK);
    let owner_name: String =
        sqlx::query_scalar("SELECT name FROM users WHERE email = 'owner@example.com'").fetch_one(&pool).await.unwrap();
    assert_eq!(page, Some(StorytellerPage::Replaced { ask: owner_name }));
    let reply = app.call(StorytellerLink { campaign_id: f.campaign }, Some(&f.owner)).await;
    let new = token_of(&serde_json::from_str::<String>(&reply.body).unwrap());
    assert_ne!(new, old);
    assert!(matches!(open(&app, &new).await.1, Some(StorytellerPage::Open(_))));
    let question: Uuid = sqlx::query_scalar("SELECT id FROM campaign_questions").fetch_one(&pool).await.unwrap();
    let skip = |token: &str| SkipMyQuestion { token: token.into(), question_id: question };
    assert_eq!(app.call(skip(&old), None).await.status, StatusCode::NOT_FOUND, "the old link changes nothing");
    assert_eq!(open(&app, "no-such-token").await.0, StatusCode::NOT_FOUND);
    assert_eq!(open(&app, &"x".repeat(5000)).await.0, StatusCode::NOT_FOUND);

    // The storyteller skips; the family sees it was skipped.
    let reply = app.call(skip(&new), None).await;
    assert!(reply.status.is_success() || reply.status.is_redirection(), "{}", reply.body);
    let status: String = sqlx::query_scalar("SELECT status FROM campaign_questions").fetch_one(&pool).await.unwrap();
    assert_eq!(status, "skipped");
    let answer = AnswerInWriting { token: new.clone(), question_id: question, answer: "Late words".into() };
    assert_eq!(app.call(answer, None).await.status, StatusCode::CONFLICT, "a skipped question takes no answer");
}

/// Runs `sql` as role `storyteller` for `campaign`'s link, rolled back.
async fn as_storyteller(pool: &PgPool, campaign: Uuid, sql: &str, bind: Option<Uuid>) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('role', 'storyteller', true), set_config('app.storyteller_campaign', $1, true)")
        .bind(campaign.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let mut query = sqlx::query(sql);
    if let Some(bind) = bind {
        query = query.bind(bind);
    }
    let result = query.execute(&mut *tx).await.map(|r| r.rows_affected());
    tx.rollback().await.unwrap();
    result
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_storyteller_role_sees_and_adds_exactly_its_own_answers(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let other = create_campaign(&app, &f.outsider, "Someone else's stories", "10").await;
    let photo: Uuid = sqlx::query_scalar(
        "INSERT INTO photos (campaign_id, user_id, filename, url) SELECT $1, user_id, 'p.jpg', '/x' FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(f.campaign)
    .fetch_one(&pool)
    .await
    .unwrap();
    let unasked_photo: Uuid = sqlx::query_scalar(
        "INSERT INTO photos (campaign_id, user_id, filename, url) SELECT $1, user_id, 'q.jpg', '/x' FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(f.campaign)
    .fetch_one(&pool)
    .await
    .unwrap();
    let mine = sent_question(&pool, f.campaign, Some(photo)).await;
    let theirs = sent_question(&pool, other, None).await;
    sqlx::query("INSERT INTO campaign_questions (campaign_id, question, position) VALUES ($1, 'Not sent yet?', 99)")
        .bind(f.campaign)
        .execute(&pool)
        .await
        .unwrap();
    crate::fixtures::create_story(&app, &f.owner, f.campaign, "The family's own story").await;
    sqlx::query("INSERT INTO story_comments (story_id, user_id, body) SELECT id, created_by, 'Lovely' FROM stories")
        .execute(&pool)
        .await
        .unwrap();
    let c = f.campaign;
    let run = |sql: &'static str, bind: Option<Uuid>| as_storyteller(&pool, c, sql, bind);

    // Allowed: its campaign's title and storyteller name, its sent questions, the photo of a
    // photo question, adding an answer to its question.
    assert_eq!(run("SELECT title, storyteller_name FROM campaigns", None).await.unwrap(), 1);
    assert_eq!(run("SELECT id FROM campaign_questions", None).await.unwrap(), 1, "sent ones only, its own");
    assert_eq!(run("SELECT id FROM photos WHERE id = $1", Some(photo)).await.unwrap(), 1);
    let answer = "INSERT INTO stories (campaign_id, title, content, question_id, story_order)
                  VALUES (storyteller_campaign(), 'Answer', 'Words', $1, storyteller_next_story_order())";
    assert_eq!(run(answer, Some(mine)).await.unwrap(), 1);
    let answer_and_mark = "WITH s AS (INSERT INTO stories (id, campaign_id, title, question_id)
                              VALUES (gen_random_uuid(), storyteller_campaign(), 'A', $1) RETURNING id)
                           UPDATE campaign_questions SET status = 'answered', story_id = (SELECT id FROM s) WHERE id = $1";
    assert_eq!(run(answer_and_mark, Some(mine)).await.unwrap(), 1);

    // Refused: everything else.
    assert_eq!(run("SELECT id FROM photos WHERE id = $1", Some(unasked_photo)).await.unwrap(), 0);
    assert_eq!(run("SELECT id FROM stories", None).await.unwrap(), 0, "not the family's stories");
    assert_eq!(run("SELECT id FROM campaigns WHERE id = $1", Some(other)).await.unwrap(), 0);
    assert_eq!(run("SELECT id FROM campaign_questions WHERE id = $1", Some(theirs)).await.unwrap(), 0);
    assert!(run(answer, Some(theirs)).await.is_err(), "another campaign's question with this link");
    let into_other = "INSERT INTO stories (campaign_id, title, question_id) VALUES ($1, 'Sneaked', NULL)";
    assert!(run(into_other, Some(other)).await.is_err());
    let without_question = "INSERT INTO stories (campaign_id, title) VALUES ($1, 'No question')";
    assert!(run(without_question, Some(c)).await.is_err(), "only answers");
    for sql in [
        "SELECT description FROM campaigns",
        "SELECT id FROM family_members",
        "SELECT id FROM users",
        "SELECT id FROM story_comments",
        "SELECT id FROM books",
        "SELECT id FROM invitations",
        "SELECT id FROM jobs",
        "SELECT id FROM storyteller_links",
        "UPDATE stories SET title = 'Changed'",
        "DELETE FROM stories",
        "DELETE FROM campaign_questions",
        "UPDATE campaign_questions SET question = 'Changed?'",
        "UPDATE campaigns SET title = 'Changed'",
        "INSERT INTO campaign_questions (campaign_id, question, position) VALUES (storyteller_campaign(), 'Mine?', 100)",
    ] {
        assert!(run(sql, None).await.is_err(), "refused: {sql}");
    }
    let skip_theirs = "UPDATE campaign_questions SET status = 'skipped' WHERE id = $1";
    assert_eq!(run(skip_theirs, Some(theirs)).await.unwrap(), 0);
    let unanswer = "UPDATE campaign_questions SET status = 'queued' WHERE id = $1";
    assert!(run(unanswer, Some(mine)).await.is_err(), "only to answered or skipped");
}
