//! "Download my data": the ZIP holds exactly the person's campaigns, stories and files,
//! byte for byte, and nothing of another family's.
use std::collections::BTreeMap;
use std::io::Read;

use http::StatusCode;
use mystoryflow::api::account::{DataExport, ExportMyData};
use mystoryflow::api::family::{AddComment, SetHeart};
use mystoryflow::model::ExportStatus;
use mystoryflow::server::{db::exports, export};
use mystoryflow::urls;
use serde_json::Value;
use sqlx::PgPool;

use crate::fixtures::{add_members, create_campaign, create_story, media_file};
use crate::helpers::TestApp;

async fn latest(app: &TestApp, cookie: &str) -> Option<mystoryflow::model::DataExport> {
    let reply = app.call(DataExport {}, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

/// A ZIP's entries by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        entries.insert(file.name().unwrap().into_owned(), data);
    }
    entries
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_export_holds_exactly_the_persons_campaigns_stories_and_files(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    let bob = app.logged_in("bob@example.com").await;

    // Ann's two campaigns, three stories each, with recordings, photos, comments and hearts.
    let mut stored: Vec<(String, Vec<u8>)> = Vec::new();
    for (title, teller) in [("Dad's Life Stories", "Dad"), ("Mum: the farm years", "Mum")] {
        let campaign = create_campaign(&app, &ann, title, "10").await;
        sqlx::query("UPDATE campaigns SET storyteller_name = $2 WHERE id = $1")
            .bind(campaign)
            .bind(teller)
            .execute(&pool)
            .await
            .unwrap();
        for n in 1..=3 {
            let story = create_story(&app, &ann, campaign, &format!("{teller} story {n}")).await;
            if n == 1 {
                let reply = app
                    .upload(
                        &urls::story_audio(campaign, story),
                        "audio",
                        &[("speech.wav", &media_file("speech.wav"))],
                        Some(&ann),
                    )
                    .await;
                assert!(reply.status.is_success(), "{}", reply.body);
                let photo = media_file("photo_orient6_gps.jpg");
                let reply = app
                    .upload(
                        &urls::photo_upload_for_story(campaign, story),
                        "photos",
                        &[("porch.jpg", &photo)],
                        Some(&ann),
                    )
                    .await;
                assert!(reply.status.is_success(), "{}", reply.body);
                let body = format!("{teller} told this one best");
                let reply = app.call(AddComment { campaign_id: campaign, story_id: story, body }, Some(&ann)).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                let reply = app.call(SetHeart { campaign_id: campaign, story_id: story, on: true }, Some(&ann)).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            }
        }
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT metadata->>'audio_key' FROM stories WHERE campaign_id = $1 AND metadata ? 'audio_key'
             UNION ALL SELECT 'campaigns/' || campaign_id || '/photos/' || id || '/original' FROM photos WHERE campaign_id = $1",
        )
        .bind(campaign)
        .fetch_all(&pool)
        .await
        .unwrap();
        for key in keys {
            stored.push((key.clone(), app.state.storage.read_all(&key).await.unwrap()));
        }
    }
    assert_eq!(stored.len(), 4, "two recordings and two photos");

    // Bob's family: Ann writes one story there; Bob's own story must not travel with her.
    let theirs = create_campaign(&app, &bob, "Grandpa Joe", "10").await;
    add_members(&pool, theirs, &[("ann", "contributor", "active")]).await;
    create_story(&app, &ann, theirs, "What Ann remembers of Joe").await;
    create_story(&app, &bob, theirs, "Bob's secret recipe").await;

    assert_eq!(latest(&app, &ann).await, None);
    let reply = app.call(ExportMyData {}, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // A second click while it is queued adds nothing.
    app.call(ExportMyData {}, Some(&ann)).await;
    let queued = latest(&app, &ann).await.unwrap();
    assert_eq!(queued.status, ExportStatus::Queued);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM data_exports").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 1);
    assert_eq!(latest(&app, &bob).await, None, "Bob doesn't see Ann's export");

    assert!(export::run_once(&app.state).await.unwrap());
    let ready = latest(&app, &ann).await.unwrap();
    assert_eq!(ready.status, ExportStatus::Ready);
    assert_eq!(ready.progress, 100);
    let days = (ready.expires_at.unwrap() - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "kept seven days, got {days} h");
    let mail: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'ann@example.com'
         AND payload->>'subject' = 'Your MyStoryFlow download is ready'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(mail, 1, "an email says it is ready");

    let address = urls::data_export(ready.id);
    assert_eq!(app.get_bytes(&address, Some(&bob), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get_bytes(&address, None, None).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, bytes) = app.get_bytes(&address, Some(&ann), None).await;
    assert_eq!(status, StatusCode::OK);
    let entries = unzip(&bytes);

    let data: Value = serde_json::from_slice(&entries["data.json"]).unwrap();
    let campaigns = data["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 2);
    let stories: Vec<&Value> = campaigns.iter().flat_map(|c| c["stories"].as_array().unwrap()).collect();
    assert_eq!(stories.len(), 6);
    assert_eq!(data["profile"]["email"], "ann@example.com");
    let elsewhere = data["other_families"].as_array().unwrap();
    assert_eq!(elsewhere.len(), 1);
    assert_eq!(elsewhere[0]["stories"].as_array().unwrap().len(), 1);
    assert_eq!(elsewhere[0]["stories"][0]["title"], "What Ann remembers of Joe");
    let first = &campaigns[0]["stories"][0];
    assert_eq!(first["comments"][0]["body"], "Dad told this one best");
    assert_eq!(first["hearts"].as_array().unwrap().len(), 1);
    assert_eq!(data["missing_files"].as_array().unwrap().len(), 0);

    // Every stored file is in the ZIP, byte for byte, where data.json says.
    let mut named: Vec<String> = Vec::new();
    for campaign in campaigns {
        for story in campaign["stories"].as_array().unwrap() {
            if let Some(file) = story["audio"]["file"].as_str() {
                named.push(file.to_owned());
            }
        }
        for photo in campaign["photos"].as_array().unwrap() {
            named.push(photo["file"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(named.len(), 4);
    assert_eq!(named[0], "campaigns/01 Dad's Life Stories/stories/001 Dad story 1/recording.wav");
    let mut in_zip: Vec<&Vec<u8>> = named.iter().map(|n| &entries[n]).collect();
    let mut originals: Vec<&Vec<u8>> = stored.iter().map(|(_, bytes)| bytes).collect();
    in_zip.sort();
    originals.sort();
    assert_eq!(in_zip, originals);

    // Nothing of Bob's story, and no storage keys.
    let everything =
        String::from_utf8_lossy(&entries["data.json"]).into_owned() + &String::from_utf8_lossy(&entries["index.html"]);
    assert!(!everything.contains("Bob's secret recipe"));
    assert!(!everything.contains("audio_key"));
    let index = String::from_utf8_lossy(&entries["index.html"]);
    assert!(index.contains("<audio controls"));
    assert!(index.contains("campaigns/01%20Dad%27s%20Life%20Stories/stories/001%20Dad%20story%201/recording.wav"));
    assert!(entries.contains_key("README.txt"));
    let expected_names: Vec<&str> = entries
        .keys()
        .map(String::as_str)
        .filter(|n| !n.ends_with(".json") && !n.ends_with(".html") && !n.ends_with(".txt"))
        .collect();
    assert_eq!(expected_names.len(), 4, "{expected_names:?}");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_export_is_removed_after_seven_days_and_limited_per_day(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let ann = app.logged_in("ann@example.com").await;
    create_campaign(&app, &ann, "Dad", "10").await;
    app.call(ExportMyData {}, Some(&ann)).await;
    assert!(export::run_once(&app.state).await.unwrap());
    let ready = latest(&app, &ann).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT storage_key FROM data_exports WHERE id = $1")
        .bind(ready.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(app.state.storage.exists(&key).await);

    assert_eq!(export::remove_expired(&app.state).await.unwrap(), 0, "not yet");
    sqlx::query("UPDATE data_exports SET expires_at = now() - interval '1 minute'").execute(&pool).await.unwrap();
    assert_eq!(export::remove_expired(&app.state).await.unwrap(), 1);
    assert!(!app.state.storage.exists(&key).await, "the file is gone");
    assert_eq!(latest(&app, &ann).await.unwrap().status, ExportStatus::Expired);
    let address = urls::data_export(ready.id);
    assert_eq!(app.get_bytes(&address, Some(&ann), None).await.0, StatusCode::NOT_FOUND);

    // Five a day; the sixth is refused with a message and queues nothing.
    for _ in 1..exports::PER_DAY {
        app.call(ExportMyData {}, Some(&ann)).await;
        assert!(export::run_once(&app.state).await.unwrap());
    }
    let reply = app.call(ExportMyData {}, Some(&ann)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
    assert!(reply.body.contains("exports today"), "{}", reply.body);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE kind = $1 AND status = 'queued'")
        .bind(export::JOB_KIND)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);
}
