//! Campaigns: creation, the dashboard's numbers, the lifecycle and deletion.
use http::StatusCode;
use mystoryflow::api::campaigns::{
    Campaign, CreateCampaign, Dashboard, DeleteCampaign, SetCampaignStatus, UpdateCampaign,
};
use mystoryflow::error::AppError;
use mystoryflow::model::{CampaignCard, CampaignOverview, CampaignStatus, Role};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestApp;

async fn create(app: &TestApp, cookie: &str, title: &str, goal: &str) -> Uuid {
    let args = CreateCampaign {
        title: title.into(),
        description: String::new(),
        storyteller_name: "Dad".into(),
        storyteller_email: String::new(),
        relationship_type: String::new(),
        goal_stories: goal.into(),
    };
    let reply = app.call(args, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let location = reply.header("location").expect("redirect to the new campaign");
    location.trim_start_matches("/campaigns/").parse().unwrap()
}

async fn dashboard(app: &TestApp, cookie: &str, status: &str) -> Vec<CampaignCard> {
    let reply = app.call(Dashboard { status: status.into() }, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn story(pool: &PgPool, campaign: Uuid, content: &str) {
    sqlx::query("INSERT INTO stories (campaign_id, title, content) VALUES ($1, 's', $2)")
        .bind(campaign)
        .bind(content)
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_creator_becomes_the_owner_member_and_the_campaign_starts(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let id = create(&app, &cookie, "Dad's Life Stories", "10").await;
    let (role, status): (String, String) = sqlx::query_as(
        "SELECT fm.role, fm.status FROM family_members fm JOIN users u ON u.id = fm.user_id
         WHERE fm.campaign_id = $1 AND u.email = 'ann@example.com'",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((role.as_str(), status.as_str()), ("owner", "active"));
    let started: bool = sqlx::query_scalar("SELECT started_at IS NOT NULL FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(started);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_dashboard_counts_stories_words_and_completion(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let empty = create(&app, &cookie, "Empty", "10").await;
    let busy = create(&app, &cookie, "Busy", "4").await;
    let over = create(&app, &cookie, "Over", "1").await;
    story(&pool, busy, "one two three").await;
    story(&pool, busy, "four  five\nsix").await;
    story(&pool, over, "a").await;
    story(&pool, over, "b").await;

    let cards = dashboard(&app, &cookie, "").await;
    let card = |id: Uuid| cards.iter().find(|c| c.id == id).unwrap().clone();
    assert_eq!(cards.len(), 3);
    assert_eq!((card(empty).story_count, card(empty).total_words, card(empty).completion()), (0, 0, 0));
    assert_eq!((card(busy).story_count, card(busy).total_words, card(busy).completion()), (2, 6, 50));
    assert_eq!(card(over).completion(), 100, "capped at 100%");
    assert!(card(busy).latest_story_date.is_some() && card(empty).latest_story_date.is_none());
    assert_eq!(card(busy).role, Role::Owner);
    assert_ne!(cards[0].id, empty, "newest activity first");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_dashboard_filters_by_status_and_refuses_unknown_ones(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let a = create(&app, &cookie, "A", "10").await;
    create(&app, &cookie, "B", "10").await;
    let paused = app.call(SetCampaignStatus { id: a, status: "paused".into() }, Some(&cookie)).await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.body);
    let only = dashboard(&app, &cookie, "paused").await;
    assert_eq!(only.iter().map(|c| c.id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(only[0].status, CampaignStatus::Paused);

    let bad = app.call(Dashboard { status: "sleeping".into() }, Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn nobody_else_sees_a_campaign_on_their_dashboard_or_by_its_address(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    let bob = app.logged_in("bob@example.com").await;
    let id = create(&app, &ann, "Private", "10").await;
    assert!(dashboard(&app, &bob, "").await.is_empty());
    let reply = app.call(Campaign { id }, Some(&bob)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let page = app.get(&format!("/campaigns/{id}"), Some(&bob)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Private"));
}

/// Each member's card, on the dashboard and on the campaign page, shows their own role: the
/// dashboard finds it in the statement, the page takes the one its access was granted with.
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn each_member_sees_their_own_role_on_the_dashboard_and_the_campaign_page(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = crate::fixtures::family(&app, &pool).await;
    let visitors = crate::fixtures::visitors(&app, &pool, &f).await;
    for (who, cookie) in &visitors {
        let Some(cookie) = cookie else { continue };
        let expected = match *who {
            "owner" => Some(Role::Owner),
            "contributor" => Some(Role::Contributor),
            "viewer" => Some(Role::Viewer),
            _ => None,
        };
        let cards = dashboard(&app, cookie, "").await;
        assert_eq!(
            cards.iter().map(|c| (c.id, c.role)).collect::<Vec<_>>(),
            expected.map(|r| (f.campaign, r)).into_iter().collect::<Vec<_>>(),
            "{who}'s dashboard"
        );
        let reply = app.call(Campaign { id: f.campaign }, Some(cookie)).await;
        match expected {
            Some(role) => {
                assert_eq!(reply.status, StatusCode::OK, "{who}: {}", reply.body);
                let overview: CampaignOverview = serde_json::from_str(&reply.body).unwrap();
                assert_eq!(overview.card.role, role, "{who}'s campaign page");
            }
            None => assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who}"),
        }
    }
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn bad_input_is_refused_and_changes_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let id = create(&app, &cookie, "Original", "10").await;
    let ok = UpdateCampaign {
        id,
        title: "Ok".into(),
        description: String::new(),
        storyteller_name: String::new(),
        storyteller_email: String::new(),
        relationship_type: String::new(),
        goal_stories: "10".into(),
    };
    for args in [
        UpdateCampaign { title: "x".repeat(201), ..ok.clone() },
        UpdateCampaign { goal_stories: "0".into(), ..ok.clone() },
        UpdateCampaign { relationship_type: "cousin".into(), ..ok.clone() },
        UpdateCampaign { storyteller_email: "nope".into(), ..ok.clone() },
    ] {
        let reply = app.call(args, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        let err: AppError = serde_json::from_str(&reply.body).unwrap();
        assert!(matches!(err, AppError::Validation(_)));
    }
    // Raw on purpose: a malformed id, which the typed arguments cannot carry.
    let bad_id = app.post_raw::<Campaign>(&[("id", "not-a-uuid")], Some(&cookie)).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    let title: String = sqlx::query_scalar("SELECT title FROM campaigns").fetch_one(&pool).await.unwrap();
    assert_eq!(title, "Original");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_archived_campaign_is_read_only_until_restored(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let id = create(&app, &cookie, "Original", "10").await;
    let status = |s: &str| SetCampaignStatus { id, status: s.into() };
    let edit = UpdateCampaign {
        id,
        title: "Renamed".into(),
        description: String::new(),
        storyteller_name: String::new(),
        storyteller_email: String::new(),
        relationship_type: String::new(),
        goal_stories: "10".into(),
    };

    assert_eq!(app.call(status("archived"), Some(&cookie)).await.status, StatusCode::OK);
    let refused = app.call(edit.clone(), Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

    assert_eq!(app.call(status("active"), Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(app.call(edit, Some(&cookie)).await.status, StatusCode::OK);
    let reply = app.call(Campaign { id }, Some(&cookie)).await;
    let overview: CampaignOverview = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(overview.card.title, "Renamed");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn deleting_needs_the_exact_title_and_removes_everything_beneath(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let id = create(&app, &cookie, "Dad", "10").await;
    story(&pool, id, "words").await;
    sqlx::query(
        "INSERT INTO photos (user_id, campaign_id, filename, url) SELECT user_id, id, 'a.jpg', '/a.jpg' FROM campaigns",
    )
    .execute(&pool)
    .await
    .unwrap();
    let wrong = app.call(DeleteCampaign { id, confirm_title: "dad".into() }, Some(&cookie)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);

    let ok = app.call(DeleteCampaign { id, confirm_title: "Dad".into() }, Some(&cookie)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    for table in ["campaigns", "stories", "family_members", "photos"] {
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        assert_eq!(left, 0, "{table} left behind");
    }
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_campaign_with_book_orders_cannot_be_deleted(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let cookie = app.logged_in("ann@example.com").await;
    let id = create(&app, &cookie, "Dad", "10").await;
    sqlx::query(
        "WITH b AS (INSERT INTO books (campaign_id, user_id, title) SELECT id, user_id, 'Book' FROM campaigns RETURNING id, user_id)
         INSERT INTO book_orders (book_id, user_id, shipping_address) SELECT id, user_id, '{}' FROM b",
    )
    .execute(&pool)
    .await
    .unwrap();
    let reply = app.call(DeleteCampaign { id, confirm_title: "Dad".into() }, Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let err: AppError = serde_json::from_str(&reply.body).unwrap();
    assert!(err.to_string().contains("archive"), "{err}");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 1);
}
