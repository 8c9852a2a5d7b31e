//! Stories: writing, autosave with optimistic concurrency, authorship, order, status,
//! Markdown safety and search.
use http::StatusCode;
use mystoryflow::model::story::{SaveOutcome, SearchPage, StoryDetail, StoryList, StoryStatus};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Client, TestApp};

pub struct Family {
    pub campaign: Uuid,
    pub owner: String,
    pub contributor: String,
    pub viewer: String,
    pub outsider: String,
}

/// A campaign with an owner, a contributor and a viewer, plus an outsider.
pub async fn family(app: &TestApp, pool: &PgPool) -> Family {
    let owner = app.signed_up("owner@example.com").await;
    let contributor = app.signed_up("contributor@example.com").await;
    let viewer = app.signed_up("viewer@example.com").await;
    let outsider = app.signed_up("outsider@example.com").await;
    let reply = app
        .post_fn(
            "create_campaign",
            &[("title", "Dad's Life Stories"), ("goal_stories", "10")],
            Some(&owner),
            Client::Script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let campaign: Uuid = sqlx::query_scalar("SELECT id FROM campaigns").fetch_one(pool).await.unwrap();
    for (email, role) in [("contributor@example.com", "contributor"), ("viewer@example.com", "viewer")] {
        sqlx::query(
            "INSERT INTO family_members (campaign_id, user_id, email, role, status)
             SELECT $1, id, email, $2, 'active' FROM users WHERE email = $3",
        )
        .bind(campaign)
        .bind(role)
        .bind(email)
        .execute(pool)
        .await
        .unwrap();
    }
    Family { campaign, owner, contributor, viewer, outsider }
}

pub async fn create_story(app: &TestApp, cookie: &str, campaign: Uuid, title: &str) -> Uuid {
    let reply = app
        .post_fn(
            "create_story",
            &[("campaign_id", &campaign.to_string()), ("title", title), ("category", "childhood")],
            Some(cookie),
            Client::Script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let location = reply.header("location").expect("redirect to the editor");
    location.trim_end_matches("/edit").rsplit('/').next().unwrap().parse().unwrap()
}

pub async fn save(
    app: &TestApp,
    cookie: &str,
    campaign: Uuid,
    story: Uuid,
    version: i32,
    content: &str,
) -> (StatusCode, String) {
    let reply = app
        .post_fn(
            "save_story",
            &[
                ("campaign_id", &campaign.to_string()),
                ("story_id", &story.to_string()),
                ("version", &version.to_string()),
                ("title", "A story"),
                ("content", content),
                ("category", "childhood"),
            ],
            Some(cookie),
            Client::Script,
        )
        .await;
    (reply.status, reply.body)
}

async fn detail(app: &TestApp, cookie: &str, campaign: Uuid, story: Uuid) -> StoryDetail {
    let reply = app
        .post_fn(
            "story",
            &[("campaign_id", &campaign.to_string()), ("story_id", &story.to_string())],
            Some(cookie),
            Client::Script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn search(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> SearchPage {
    let reply = app.post_fn("search_stories", form, Some(cookie), Client::Script).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

#[sqlx::test]
async fn a_new_story_records_its_author_and_goes_last(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let first = create_story(&app, &f.owner, f.campaign, "First").await;
    let second = create_story(&app, &f.contributor, f.campaign, "Second").await;
    let rows: Vec<(Uuid, i32, String, i32)> = sqlx::query_as(
        "SELECT s.id, s.story_order, u.email, s.version FROM stories s JOIN users u ON u.id = s.created_by ORDER BY s.story_order",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows[0], (first, 1, "owner@example.com".into(), 1));
    assert_eq!(rows[1], (second, 2, "contributor@example.com".into(), 1));
}

#[sqlx::test]
async fn saving_counts_words_and_a_stale_version_is_a_conflict_not_an_overwrite(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Farm").await;

    let (status, body) = save(&app, &f.owner, f.campaign, story, 1, "We  had\nthree\tcows").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let SaveOutcome::Saved { version, word_count, .. } = serde_json::from_str(&body).unwrap() else { panic!("{body}") };
    assert_eq!((version, word_count), (2, 4));

    // A second editor still on version 1 is told, and given the newer text.
    let (_, body) = save(&app, &f.owner, f.campaign, story, 1, "Something else").await;
    match serde_json::from_str(&body).unwrap() {
        SaveOutcome::Conflict { version, content, .. } => {
            assert_eq!((version, content.as_str()), (2, "We  had\nthree\tcows"))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let content: String = sqlx::query_scalar("SELECT content FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(content, "We  had\nthree\tcows");

    // Choosing to keep one's own version overwrites knowingly.
    let reply = app
        .post_fn(
            "save_story",
            &[
                ("campaign_id", &f.campaign.to_string()),
                ("story_id", &story.to_string()),
                ("version", "1"),
                ("title", "Farm"),
                ("content", "Mine wins"),
                ("overwrite", "true"),
            ],
            Some(&f.owner),
            Client::Script,
        )
        .await;
    assert!(
        matches!(serde_json::from_str(&reply.body).unwrap(), SaveOutcome::Saved { version: 3, .. }),
        "{}",
        reply.body
    );
}

#[sqlx::test]
async fn a_plain_form_save_with_a_stale_version_comes_back_with_the_text_kept(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Farm").await;
    save(&app, &f.owner, f.campaign, story, 1, "First version").await;
    let reply = app
        .post_fn(
            "save_story",
            &[
                ("campaign_id", &f.campaign.to_string()),
                ("story_id", &story.to_string()),
                ("version", "1"),
                ("title", "Farm"),
                ("content", "My unsaved words"),
            ],
            Some(&f.owner),
            Client::PlainForm,
        )
        .await;
    let back = reply.header("location").unwrap();
    assert!(back.ends_with("/edit"), "{back}");
    let page = app.get(&back, Some(&f.owner)).await;
    assert!(page.body.contains("changed since you opened it"), "{}", page.body);
    assert!(page.body.contains("My unsaved words"));
}

#[sqlx::test]
async fn contributors_edit_only_their_own_stories_and_viewers_none(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let owners = create_story(&app, &f.owner, f.campaign, "Owner's").await;
    let theirs = create_story(&app, &f.contributor, f.campaign, "Contributor's").await;

    assert_eq!(save(&app, &f.contributor, f.campaign, owners, 1, "x").await.0, StatusCode::FORBIDDEN);
    assert_eq!(save(&app, &f.contributor, f.campaign, theirs, 1, "mine").await.0, StatusCode::OK);
    assert_eq!(save(&app, &f.owner, f.campaign, theirs, 2, "edited by the owner").await.0, StatusCode::OK);
    assert_eq!(save(&app, &f.viewer, f.campaign, theirs, 3, "x").await.0, StatusCode::FORBIDDEN);
    assert_eq!(save(&app, &f.outsider, f.campaign, theirs, 3, "x").await.0, StatusCode::NOT_FOUND);
    // A story id from another campaign is not found through this one.
    let reply = app
        .post_fn("create_campaign", &[("title", "Other"), ("goal_stories", "3")], Some(&f.outsider), Client::Script)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let other: Uuid =
        sqlx::query_scalar("SELECT id FROM campaigns WHERE title = 'Other'").fetch_one(&pool).await.unwrap();
    let foreign = create_story(&app, &f.outsider, other, "Foreign").await;
    assert_eq!(save(&app, &f.owner, f.campaign, foreign, 1, "x").await.0, StatusCode::NOT_FOUND);

    let seen = detail(&app, &f.viewer, f.campaign, theirs).await;
    assert!(!seen.can_edit);
    assert_eq!(seen.content, "edited by the owner");
}

#[sqlx::test]
async fn only_the_owner_marks_a_story_reviewed(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.contributor, f.campaign, "Mine").await;
    let set = |cookie: String, status: &'static str| {
        let app = &app;
        let campaign = f.campaign.to_string();
        async move {
            app.post_fn(
                "set_story_status",
                &[("campaign_id", &campaign), ("story_id", &story.to_string()), ("status", status)],
                Some(&cookie),
                Client::Script,
            )
            .await
            .status
        }
    };
    assert_eq!(set(f.contributor.clone(), "completed").await, StatusCode::OK);
    assert_eq!(set(f.contributor.clone(), "reviewed").await, StatusCode::FORBIDDEN);
    assert_eq!(set(f.owner.clone(), "reviewed").await, StatusCode::OK);
    // …and only the owner takes it back.
    assert_eq!(set(f.contributor.clone(), "draft").await, StatusCode::FORBIDDEN);
    let status: String = sqlx::query_scalar("SELECT status FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(StoryStatus::parse(&status), Some(StoryStatus::Reviewed));
}

#[sqlx::test]
async fn moving_a_story_reorders_the_book_without_touching_its_date(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let a = create_story(&app, &f.owner, f.campaign, "A").await;
    let b = create_story(&app, &f.owner, f.campaign, "B").await;
    let c = create_story(&app, &f.contributor, f.campaign, "C").await;
    let before: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM stories WHERE id = $1").bind(c).fetch_one(&pool).await.unwrap();
    let reply = app
        .post_fn(
            "move_story",
            &[("campaign_id", &f.campaign.to_string()), ("story_id", &c.to_string()), ("position", "0")],
            Some(&f.owner),
            Client::Script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply =
        app.post_fn("stories", &[("campaign_id", &f.campaign.to_string())], Some(&f.viewer), Client::Script).await;
    let list: StoryList = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(list.stories.iter().map(|s| s.id).collect::<Vec<_>>(), vec![c, a, b]);
    let after: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM stories WHERE id = $1").bind(c).fetch_one(&pool).await.unwrap();
    assert_eq!(before, after);
    // Contributors don't reorder the book.
    let reply = app
        .post_fn(
            "move_story",
            &[("campaign_id", &f.campaign.to_string()), ("story_id", &a.to_string()), ("position", "2")],
            Some(&f.contributor),
            Client::Script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn markdown_is_rendered_and_script_is_not(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Formatted").await;
    save(&app, &f.owner, f.campaign, story, 1, "**bold** words <script>alert(1)</script> <img src=x onerror=alert(2)>")
        .await;
    let page = app.get(&format!("/campaigns/{}/stories/{story}", f.campaign), Some(&f.viewer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("story__text").expect("the story text is shown");
    let rendered = &page.body[start..start + page.body[start..].find("</div>").unwrap()];
    assert!(rendered.contains("<strong>bold</strong>"), "{rendered}");
    assert!(!rendered.contains("<script"), "{rendered}");
    // Raw HTML shows as the text that was typed, never as an element.
    assert!(!rendered.contains("<img"), "{rendered}");
    assert!(rendered.contains("&lt;img src=x onerror=alert(2)&gt;"), "{rendered}");
}

#[sqlx::test]
async fn five_megabytes_of_text_is_refused_and_nothing_changes(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Long").await;
    save(&app, &f.owner, f.campaign, story, 1, "kept").await;
    let huge = "words ".repeat(900_000);
    let (status, body) = save(&app, &f.owner, f.campaign, story, 2, &huge).await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::PAYLOAD_TOO_LARGE, "{status} {body}");
    assert!(body.contains("too long") || body.contains("too large"), "{body}");
    let content: String = sqlx::query_scalar("SELECT content FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(content, "kept");
}

#[sqlx::test]
async fn an_empty_title_is_refused(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let reply = app
        .post_fn(
            "create_story",
            &[("campaign_id", &f.campaign.to_string()), ("title", "   ")],
            Some(&f.owner),
            Client::Script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("title"), "{}", reply.body);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn search_finds_words_in_any_visible_story_ranked_with_highlights(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let farm = create_story(&app, &f.owner, f.campaign, "The farm").await;
    save(&app, &f.owner, f.campaign, farm, 1, "We milked the cows <b>every</b> morning before school.").await;
    let war = create_story(&app, &f.contributor, f.campaign, "The war years").await;
    save(&app, &f.contributor, f.campaign, war, 1, "Rationing meant no sugar, and the cows were sold.").await;
    sqlx::query("UPDATE stories SET transcription = 'grandmother sang in the kitchen' WHERE id = $1")
        .bind(war)
        .execute(&pool)
        .await
        .unwrap();

    let page = search(&app, &f.viewer, &[("q", "milking")]).await; // stemmed: milked ~ milking
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].id, farm);
    assert!(page.hits[0].snippet.contains("<mark>milked</mark>"), "{}", page.hits[0].snippet);
    assert!(!page.hits[0].snippet.contains("<b>"), "no markup from the story text: {}", page.hits[0].snippet);

    assert_eq!(search(&app, &f.viewer, &[("q", "kitchen")]).await.hits[0].id, war, "transcriptions are searched");
    assert_eq!(search(&app, &f.viewer, &[("q", "cows")]).await.hits.len(), 2);
    assert_eq!(search(&app, &f.viewer, &[("q", "cows -sugar")]).await.hits.len(), 1);
    assert_eq!(search(&app, &f.viewer, &[("q", "cows"), ("status", "reviewed")]).await.hits.len(), 0);
    assert_eq!(search(&app, &f.viewer, &[("q", "cows"), ("campaign", &f.campaign.to_string())]).await.hits.len(), 2);
    assert_eq!(search(&app, &f.outsider, &[("q", "cows")]).await.hits.len(), 0, "outsiders find nothing");
}

#[sqlx::test]
async fn search_pages_through_results_without_repeats(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let creator: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@example.com'").fetch_one(&pool).await.unwrap();
    for i in 0..45 {
        let body = format!("{} harvest", "harvest ".repeat(i % 5));
        sqlx::query("INSERT INTO stories (campaign_id, title, content, created_by) VALUES ($1, $2, $3, $4)")
            .bind(f.campaign)
            .bind(format!("Story {i}"))
            .bind(body)
            .bind(creator)
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut after = String::new();
    let mut pages = 0;
    loop {
        let page = search(&app, &f.viewer, &[("q", "harvest"), ("after", &after)]).await;
        pages += 1;
        for hit in &page.hits {
            assert!(seen.insert(hit.id), "repeated hit");
        }
        match page.next {
            Some(next) => after = next,
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (45, 3));
}
