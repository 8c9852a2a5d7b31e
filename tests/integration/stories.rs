//! Stories: writing, autosave with optimistic concurrency, authorship, order, status,
//! Markdown safety and search.
use http::StatusCode;
use mystoryflow::api::stories::{CreateStory, MoveStory, SaveStory, SearchStories, SetStoryStatus, Stories, Story};
use mystoryflow::model::story::{SaveOutcome, SearchPage, StoryDetail, StoryList, StoryStatus};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{create_campaign, create_story, family, save};
use crate::helpers::{Client, TestApp};

async fn detail(app: &TestApp, cookie: &str, campaign: Uuid, story: Uuid) -> StoryDetail {
    let reply = app.call(Story { campaign_id: campaign, story_id: story }, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

/// A search for `q`; `narrow` sets the filters and the page.
async fn search(app: &TestApp, cookie: &str, q: &str, narrow: impl FnOnce(&mut SearchStories)) -> SearchPage {
    let mut args = SearchStories {
        q: q.into(),
        campaign: None,
        category: String::new(),
        status: String::new(),
        after: String::new(),
    };
    narrow(&mut args);
    let reply = app.call(args, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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
    let mine = SaveStory {
        campaign_id: f.campaign,
        story_id: story,
        version: 1,
        title: "Farm".into(),
        content: "Mine wins".into(),
        category: String::new(),
        custom_category: String::new(),
        overwrite: true,
    };
    let reply = app.call(mine, Some(&f.owner)).await;
    assert!(
        matches!(serde_json::from_str(&reply.body).unwrap(), SaveOutcome::Saved { version: 3, .. }),
        "{}",
        reply.body
    );
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_plain_form_save_with_a_stale_version_comes_back_with_the_text_kept(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Farm").await;
    save(&app, &f.owner, f.campaign, story, 1, "First version").await;
    let stale = SaveStory {
        campaign_id: f.campaign,
        story_id: story,
        version: 1,
        title: "Farm".into(),
        content: "My unsaved words".into(),
        category: String::new(),
        custom_category: String::new(),
        overwrite: false,
    };
    let reply = app.call_as(stale, Some(&f.owner), Client::PlainForm).await;
    let back = reply.header("location").unwrap();
    assert!(back.ends_with("/edit"), "{back}");
    let page = app.get(&back, Some(&f.owner)).await;
    assert!(page.body.contains("changed since you opened it"), "{}", page.body);
    assert!(page.body.contains("My unsaved words"));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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
    let other = create_campaign(&app, &f.outsider, "Other", "3").await;
    let foreign = create_story(&app, &f.outsider, other, "Foreign").await;
    assert_eq!(save(&app, &f.owner, f.campaign, foreign, 1, "x").await.0, StatusCode::NOT_FOUND);

    let seen = detail(&app, &f.viewer, f.campaign, theirs).await;
    assert!(!seen.can_edit);
    assert_eq!(seen.content, "edited by the owner");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn only_the_owner_marks_a_story_reviewed(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.contributor, f.campaign, "Mine").await;
    let set = |cookie: String, status: &'static str| {
        let app = &app;
        let args = SetStoryStatus { campaign_id: f.campaign, story_id: story, status: status.into() };
        async move { app.call(args, Some(&cookie)).await.status }
    };
    assert_eq!(set(f.contributor.clone(), "completed").await, StatusCode::OK);
    assert_eq!(set(f.contributor.clone(), "reviewed").await, StatusCode::FORBIDDEN);
    assert_eq!(set(f.owner.clone(), "reviewed").await, StatusCode::OK);
    // …and only the owner takes it back.
    assert_eq!(set(f.contributor.clone(), "draft").await, StatusCode::FORBIDDEN);
    let status: String = sqlx::query_scalar("SELECT status FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(StoryStatus::parse(&status), Some(StoryStatus::Reviewed));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn moving_a_story_reorders_the_book_without_touching_its_date(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let a = create_story(&app, &f.owner, f.campaign, "A").await;
    let b = create_story(&app, &f.owner, f.campaign, "B").await;
    let c = create_story(&app, &f.contributor, f.campaign, "C").await;
    let before: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM stories WHERE id = $1").bind(c).fetch_one(&pool).await.unwrap();
    let reply = app.call(MoveStory { campaign_id: f.campaign, story_id: c, position: 0 }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app.call(Stories { campaign_id: f.campaign }, Some(&f.viewer)).await;
    let list: StoryList = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(list.stories.iter().map(|s| s.id).collect::<Vec<_>>(), vec![c, a, b]);
    let after: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM stories WHERE id = $1").bind(c).fetch_one(&pool).await.unwrap();
    assert_eq!(before, after);
    // Contributors don't reorder the book.
    let reply = app.call(MoveStory { campaign_id: f.campaign, story_id: a, position: 2 }, Some(&f.contributor)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_empty_title_is_refused(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let blank = CreateStory {
        campaign_id: f.campaign,
        title: "   ".into(),
        category: String::new(),
        custom_category: String::new(),
    };
    let reply = app.call(blank, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("title"), "{}", reply.body);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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

    let page = search(&app, &f.viewer, "milking", |_| {}).await; // stemmed: milked ~ milking
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].id, farm);
    assert!(page.hits[0].snippet.contains("<mark>milked</mark>"), "{}", page.hits[0].snippet);
    assert!(!page.hits[0].snippet.contains("<b>"), "no markup from the story text: {}", page.hits[0].snippet);

    assert_eq!(search(&app, &f.viewer, "kitchen", |_| {}).await.hits[0].id, war, "transcriptions are searched");
    assert_eq!(search(&app, &f.viewer, "cows", |_| {}).await.hits.len(), 2);
    assert_eq!(search(&app, &f.viewer, "cows -sugar", |_| {}).await.hits.len(), 1);
    assert_eq!(search(&app, &f.viewer, "cows", |a| a.status = "reviewed".into()).await.hits.len(), 0);
    assert_eq!(search(&app, &f.viewer, "cows", |a| a.campaign = Some(f.campaign)).await.hits.len(), 2);
    assert_eq!(search(&app, &f.outsider, "cows", |_| {}).await.hits.len(), 0, "outsiders find nothing");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
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
        let page = search(&app, &f.viewer, "harvest", |a| a.after = after.clone()).await;
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

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn search_ranks_only_the_newest_matches(pool: PgPool) {
    use mystoryflow::server::db::search::SEARCH_RANKED;
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    // The oldest story is the best match (the word in its title); the others mention it once.
    let insert = "INSERT INTO stories (campaign_id, title, content, created_by, updated_at)
                  SELECT $1, $2 || n, 'the orchard behind the house', u.id, now() - interval '1 day' + n * interval '1 second'
                  FROM generate_series(1, $3) n, users u WHERE u.email = 'owner@example.com'";
    sqlx::query("INSERT INTO stories (campaign_id, title, content, created_by, updated_at)
                 SELECT $1, 'Orchard, orchard, orchard', 'orchard', id, now() - interval '2 days' FROM users WHERE email = 'owner@example.com'")
        .bind(f.campaign)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(insert).bind(f.campaign).bind("Summer ").bind(SEARCH_RANKED - 1).execute(&pool).await.unwrap();
    let best = search(&app, &f.viewer, "orchard", |_| {}).await.hits[0].title.clone();
    assert_eq!(best, "Orchard, orchard, orchard", "among the newest matches, best first");

    // One newer match pushes the oldest out of the ranked set.
    sqlx::query("INSERT INTO stories (campaign_id, title, content, created_by) SELECT $1, 'Newest', 'orchard, orchard', id FROM users WHERE email = 'owner@example.com'")
        .bind(f.campaign)
        .execute(&pool)
        .await
        .unwrap();
    let page = search(&app, &f.viewer, "orchard", |_| {}).await;
    assert!(page.hits.iter().all(|h| h.title != "Orchard, orchard, orchard"), "only the newest matches are ranked");
    assert_eq!(page.hits[0].title, "Newest", "the best of the newest matches");
}

/// A snippet is looked for in the text's first characters, and further on (up to
/// SNIPPET_SOURCE_CHARS) only when they hold no match: either way it shows the word found.
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn search_snippets_show_a_match_found_past_the_first_characters(pool: PgPool) {
    use mystoryflow::server::db::search::{SNIPPET_FIRST_CHARS, SNIPPET_SOURCE_CHARS};
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let early = create_story(&app, &f.owner, f.campaign, "Early").await;
    let late = create_story(&app, &f.owner, f.campaign, "Late").await;
    let filler = "and then we walked on ".repeat(SNIPPET_FIRST_CHARS as usize / 10);
    assert!(filler.len() * 2 < SNIPPET_SOURCE_CHARS as usize);
    for (story, text) in [
        (early, format!("The zeppelin came over the hill. {filler} {filler}")),
        (late, format!("{filler} and at last a zeppelin came over the hill. {filler}")),
    ] {
        sqlx::query("UPDATE stories SET transcription = $2 WHERE id = $1")
            .bind(story)
            .bind(text)
            .execute(&pool)
            .await
            .unwrap();
    }
    let page = search(&app, &f.viewer, "zeppelin", |_| {}).await;
    assert_eq!(page.hits.len(), 2);
    for hit in &page.hits {
        assert!(hit.snippet.contains("<mark>zeppelin</mark>"), "{}: {}", hit.title, hit.snippet);
    }
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn search_snippets_come_from_the_start_of_a_long_text(pool: PgPool) {
    use mystoryflow::server::db::search::SNIPPET_SOURCE_CHARS;
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "A long recording").await;
    let long = "and then we walked on ".repeat(SNIPPET_SOURCE_CHARS as usize / 10);
    sqlx::query("UPDATE stories SET transcription = $2 || ' to Zanzibar' WHERE id = $1")
        .bind(story)
        .bind(long)
        .execute(&pool)
        .await
        .unwrap();
    let page = search(&app, &f.viewer, "zanzibar", |_| {}).await;
    assert_eq!(page.hits.len(), 1, "the whole text is searched");
    assert!(page.hits[0].snippet.contains("walked"), "{}", page.hits[0].snippet);
    assert!(
        !page.hits[0].snippet.contains("<mark>"),
        "the snippet is drawn from the first characters only: {}",
        page.hits[0].snippet
    );
}
