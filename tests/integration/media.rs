//! Recordings and photos: uploads checked from their bytes, private downloads with Range,
//! nothing half-written, and the transcription worker on real speech.
use http::StatusCode;
use mystoryflow::api::campaigns::DeleteCampaign;
use mystoryflow::api::photos::{DeletePhoto, LinkPhoto, Photos, SetPhotoCaption};
use mystoryflow::api::stories::{RemoveAudio, Story, UseTranscription};
use mystoryflow::model::story::StoryDetail;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{create_campaign, create_story, family, media_file as fixture};
use crate::helpers::TestApp;

fn audio_path(campaign: Uuid, story: Uuid) -> String {
    format!("/media/campaigns/{campaign}/stories/{story}/audio")
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_recording_is_measured_stored_privately_and_served_with_ranges(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.contributor, f.campaign, "Told aloud").await;
    let path = audio_path(f.campaign, story);

    let reply = app
        .upload(&path, "audio", &[("speech.webm", &fixture("chrome_mediarecorder.webm"))], Some(&f.contributor))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    let duration = body["duration_seconds"].as_i64().unwrap();
    assert!(duration >= 1, "a duration is measured from the packets: {body}");
    let (stored, mime): (i32, String) = sqlx::query_as("SELECT audio_duration, audio_mime FROM stories WHERE id = $1")
        .bind(story)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored as i64, duration);
    assert!(mime.contains("webm"), "{mime}");

    // This test server has no transcription engine, and says so where the recording is.
    let editor = app.get(&format!("/campaigns/{}/stories/{story}/edit", f.campaign), Some(&f.contributor)).await;
    assert!(editor.body.contains("Automatic transcription is off"), "{}", editor.body);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs").fetch_one(&pool).await.unwrap();
    assert_eq!(queued, 0);

    let (status, headers, whole) = app.get_bytes(&path, Some(&f.viewer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whole, fixture("chrome_mediarecorder.webm"));
    assert_eq!(headers["accept-ranges"], "bytes");
    let (status, headers, part) = app.get_bytes(&path, Some(&f.viewer), Some("bytes=10-109")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part, whole[10..110]);
    assert_eq!(headers["content-range"], format!("bytes 10-109/{}", whole.len()));
    let (status, _, _) = app.get_bytes(&path, Some(&f.viewer), Some("bytes=99999999-")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);

    // Whoever has the address but not the membership gets nothing.
    assert_eq!(app.get_bytes(&path, Some(&f.outsider), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get_bytes(&path, None, None).await.0, StatusCode::UNAUTHORIZED);
    // Viewers listen but don't upload; contributors don't replace others' recordings.
    let wav = fixture("speech.wav");
    assert_eq!(app.upload(&path, "audio", &[("a.wav", &wav)], Some(&f.viewer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.upload(&path, "audio", &[("a.wav", &wav)], Some(&f.outsider)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.upload(&path, "audio", &[("a.wav", &wav)], None).await.status, StatusCode::UNAUTHORIZED);
    let owners = create_story(&app, &f.owner, f.campaign, "Owner's").await;
    let reply = app.upload(&audio_path(f.campaign, owners), "audio", &[("a.wav", &wav)], Some(&f.contributor)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn every_accepted_audio_format_gets_its_length(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Formats").await;
    for name in ["speech.wav", "speech.mp3", "speech.m4a", "speech.opus", "speech.webm", "speech_vorbis.ogg"] {
        let reply =
            app.upload(&audio_path(f.campaign, story), "audio", &[(name, &fixture(name))], Some(&f.owner)).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert!(body["duration_seconds"].as_i64().unwrap() >= 1, "{name}: {body}");
    }
    // Replacing a recording removes the old file: one recording's worth of objects remains.
    let key: String = sqlx::query_scalar("SELECT metadata->>'audio_key' FROM stories WHERE id = $1")
        .bind(story)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(app.state.storage.exists(&key).await);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_program_renamed_to_mp3_or_a_truncated_recording_is_refused_and_nothing_changes(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Bad files").await;
    let exe =
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 This program cannot be run in DOS mode".to_vec();
    let reply = app.upload(&audio_path(f.campaign, story), "audio", &[("song.mp3", &exe)], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("recording"), "{}", reply.body);

    let mp3 = fixture("speech.mp3");
    let reply = app.upload(&audio_path(f.campaign, story), "audio", &[("cut.mp3", &mp3[..600])], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);

    let reply = app.upload(&audio_path(f.campaign, story), "audio", &[("empty.mp3", b"")], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);

    let row: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT audio_url, metadata->>'audio_key' FROM stories WHERE id = $1")
            .bind(story)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(row, (None, None));
    let staged = std::fs::read_dir(app.state.uploads_dir()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(staged, 0, "staged uploads are cleaned up");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_photo_is_turned_upright_stripped_of_exif_and_kept_private(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.contributor, f.campaign, "Pictures").await;
    let url = format!("/media/campaigns/{}/photos?story={story}", f.campaign);
    let jpeg = fixture("photo_orient6_gps.jpg");
    let reply = app.upload(&url, "photos", &[("lake.jpg", &jpeg), ("lake2.jpg", &jpeg)], Some(&f.contributor)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let rows: Vec<(Uuid, i32, i32, String, String)> =
        sqlx::query_as("SELECT id, width, height, mime_type, original_filename FROM photos ORDER BY original_filename")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    let (photo, width, height, mime, name) = rows[0].clone();
    assert_eq!((width, height, mime.as_str(), name.as_str()), (20, 40, "image/jpeg", "lake.jpg"));

    let reply = app.call(Story { campaign_id: f.campaign, story_id: story }, Some(&f.viewer)).await;
    let detail: StoryDetail = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(detail.photos.len(), 2, "both are attached to the story");

    for variant in ["thumb", "display"] {
        let path = format!("/media/campaigns/{}/photos/{photo}/{variant}", f.campaign);
        let (status, headers, bytes) = app.get_bytes(&path, Some(&f.viewer), None).await;
        assert_eq!(status, StatusCode::OK, "{variant}");
        assert_eq!(headers["content-type"], "image/jpeg");
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{variant} carries no EXIF (no GPS, no camera)");
        assert_eq!(app.get_bytes(&path, Some(&f.outsider), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.get_bytes(&path, None, None).await.0, StatusCode::UNAUTHORIZED);
    }
    let original = format!("/media/campaigns/{}/photos/{photo}/original", f.campaign);
    assert_eq!(
        app.get_bytes(&original, Some(&f.owner), None).await.0,
        StatusCode::NOT_FOUND,
        "the original is kept for print only"
    );
    assert!(app.state.storage.exists(&format!("campaigns/{}/photos/{photo}/original", f.campaign)).await);

    // Deleting the campaign leaves no file behind.
    let title: String = sqlx::query_scalar("SELECT title FROM campaigns").fetch_one(&pool).await.unwrap();
    let reply = app.call(DeleteCampaign { id: f.campaign, confirm_title: title }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for variant in ["original", "display", "thumb"] {
        assert!(!app.state.storage.exists(&format!("campaigns/{}/photos/{photo}/{variant}", f.campaign)).await);
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A tiny file whose header claims 20,000 × 20,000 pixels.
fn huge_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    };
    let mut ihdr = 20_000u32.to_be_bytes().to_vec();
    ihdr.extend(20_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn bad_photos_are_refused_with_a_reason_and_leave_no_row_or_file(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let url = format!("/media/campaigns/{}/photos", f.campaign);
    let exe = b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode".to_vec();
    let reply = app.upload(&url, "photos", &[("holiday.jpg", &exe)], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("holiday.jpg") && reply.body.contains("photo"), "{}", reply.body);

    let reply = app.upload(&url, "photos", &[("huge.png", &huge_png())], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.body);
    assert!(
        reply.body.contains("20000") || reply.body.contains("20,000") || reply.body.contains("large"),
        "{}",
        reply.body
    );

    let jpeg = fixture("photo_orient6_gps.jpg");
    let reply = app.upload(&url, "photos", &[("cut.jpg", &jpeg[..jpeg.len() / 2])], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);

    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM photos").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
    assert_eq!(app.upload(&url, "photos", &[("a.jpg", &jpeg)], Some(&f.viewer)).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn the_local_transcriber_writes_down_real_speech(pool: PgPool) {
    use mystoryflow::server::transcribe::{run_once, LocalWhisper};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv/bin/python");
    assert!(python.exists(), "scripts/setup.sh installs the transcriber's venv");
    let wav = std::env::temp_dir().join(format!("msf-speech-{}.wav", Uuid::new_v4()));
    let spoken = std::process::Command::new("espeak-ng")
        .arg("-w")
        .arg(&wav)
        .arg("Good morning, my name is Anna and I love telling stories.")
        .status()
        .expect("espeak-ng is installed by scripts/setup.sh");
    assert!(spoken.success());

    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Anna").await;
    let reply = app
        .upload(&audio_path(f.campaign, story), "audio", &[("anna.wav", &std::fs::read(&wav).unwrap())], Some(&f.owner))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    std::fs::remove_file(&wav).ok();
    // The test app has transcription off; queue the job as an enabled server would, as the
    // owner: the app's own switch to a user, on a transaction of ours (a `UserTx` runs only
    // the app's queries).
    let owner: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@example.com'").fetch_one(&pool).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    mystoryflow::server::db::act_as(&mut tx, owner).await.unwrap();
    sqlx::query("SELECT enqueue_transcription($1)").bind(story).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let status: String = sqlx::query_scalar("SELECT transcription_status FROM stories WHERE id = $1")
        .bind(story)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "queued");

    let engine = LocalWhisper::new(&python, &root.join("transcriber/server.py"));
    assert!(run_once(&app.state.db, &app.state.storage, &engine).await.unwrap(), "the job was taken");
    let (status, text): (String, Option<String>) =
        sqlx::query_as("SELECT transcription_status, transcription FROM stories WHERE id = $1")
            .bind(story)
            .fetch_one(&pool)
            .await
            .unwrap();
    let text = text.unwrap_or_default().to_lowercase();
    assert_eq!(status, "done");
    assert!(text.contains("morning") && text.contains("stories"), "{text}");

    // One click turns it into the story text.
    let reply = app
        .call(UseTranscription { campaign_id: f.campaign, story_id: story, mode: "replace".into() }, Some(&f.owner))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let content: String =
        sqlx::query_scalar("SELECT content FROM stories WHERE id = $1").bind(story).fetch_one(&pool).await.unwrap();
    assert!(content.to_lowercase().contains("stories"));
}

/// The same storage code against S3: a local moto server from the project's venv.
#[tokio::test]
async fn media_storage_works_against_s3() {
    use mystoryflow::server::media::storage::{S3Config, Storage};
    let (mut moto, endpoint) = crate::fixtures::moto("msf-media").await;

    let storage = Storage::s3(&S3Config {
        bucket: "msf-media".into(),
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
    })
    .unwrap();
    let file = std::env::temp_dir().join(format!("msf-s3-{}", Uuid::new_v4()));
    let data: Vec<u8> = (0..12_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    storage.put_file("campaigns/c/stories/s/audio-1.webm", &file).await.unwrap();
    std::fs::remove_file(&file).ok();
    assert_eq!(storage.size("campaigns/c/stories/s/audio-1.webm").await.unwrap(), data.len() as u64);
    let part = storage.get("campaigns/c/stories/s/audio-1.webm", Some((5_000_000, 5_000_099))).await.unwrap();
    use futures_util::StreamExt;
    let bytes: Vec<u8> = part.body.map(|b| b.unwrap().to_vec()).concat().await;
    assert_eq!(bytes, data[5_000_000..5_000_100]);
    storage.put_bytes("campaigns/c/photos/p/thumb", vec![1, 2, 3]).await.unwrap();
    storage.delete_prefix("campaigns/c").await;
    assert!(!storage.exists("campaigns/c/stories/s/audio-1.webm").await);
    assert!(!storage.exists("campaigns/c/photos/p/thumb").await);
    moto.kill().await.ok();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn one_photo_illustrates_several_stories_and_the_gallery(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let first = create_story(&app, &f.owner, f.campaign, "First").await;
    let second = create_story(&app, &f.owner, f.campaign, "Second").await;
    let reply = app
        .upload(
            &format!("/media/campaigns/{}/photos?story={first}", f.campaign),
            "photos",
            &[("lake.jpg", &fixture("photo_orient6_gps.jpg"))],
            Some(&f.owner),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let photo: Uuid = sqlx::query_scalar("SELECT id FROM photos").fetch_one(&pool).await.unwrap();
    let c = f.campaign;
    let link = |story: Uuid, attach: bool| {
        let (app, cookie) = (&app, f.owner.clone());
        async move {
            app.call(LinkPhoto { campaign_id: c, story_id: story, photo_id: photo, attach }, Some(&cookie)).await.status
        }
    };
    assert_eq!(link(second, true).await, StatusCode::OK);
    let photos_of = |story: Uuid| {
        let (app, cookie) = (&app, f.viewer.clone());
        async move {
            let reply = app.call(Story { campaign_id: c, story_id: story }, Some(&cookie)).await;
            serde_json::from_str::<StoryDetail>(&reply.body)
                .unwrap()
                .photos
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(photos_of(first).await, vec![photo]);
    assert_eq!(photos_of(second).await, vec![photo]);
    assert_eq!(link(first, false).await, StatusCode::OK);
    assert!(photos_of(first).await.is_empty());

    let caption =
        SetPhotoCaption { campaign_id: c, photo_id: photo, caption: "The lake, 1962".into(), back: String::new() };
    let reply = app.call(caption, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app.call(Photos { campaign_id: c }, Some(&f.viewer)).await;
    let gallery: Vec<mystoryflow::model::story::PhotoView> = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(gallery.len(), 1);
    assert_eq!(gallery[0].caption.as_deref(), Some("The lake, 1962"));

    // A photo from another campaign cannot be attached here.
    let other = create_campaign(&app, &f.outsider, "Other", "3").await;
    let foreign = create_story(&app, &f.outsider, other, "Theirs").await;
    let reply = app
        .call(LinkPhoto { campaign_id: other, story_id: foreign, photo_id: photo, attach: true }, Some(&f.outsider))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn removing_a_recording_or_a_photo_removes_its_files(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let story = create_story(&app, &f.owner, f.campaign, "Tidy").await;
    let (c, s) = (f.campaign.to_string(), story.to_string());
    let reply =
        app.upload(&audio_path(f.campaign, story), "audio", &[("a.wav", &fixture("speech.wav"))], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let key: String = sqlx::query_scalar("SELECT metadata->>'audio_key' FROM stories").fetch_one(&pool).await.unwrap();
    assert!(app.state.storage.exists(&key).await);
    let reply = app.call(RemoveAudio { campaign_id: f.campaign, story_id: story }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(!app.state.storage.exists(&key).await);
    let url: Option<String> = sqlx::query_scalar("SELECT audio_url FROM stories").fetch_one(&pool).await.unwrap();
    assert_eq!(url, None);
    assert_eq!(app.get_bytes(&audio_path(f.campaign, story), Some(&f.owner), None).await.0, StatusCode::NOT_FOUND);

    let reply = app
        .upload(
            &format!("/media/campaigns/{c}/photos?story={s}"),
            "photos",
            &[("p.jpg", &fixture("photo_orient6_gps.jpg"))],
            Some(&f.owner),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let photo: Uuid = sqlx::query_scalar("SELECT id FROM photos").fetch_one(&pool).await.unwrap();
    // A viewer can't delete it; the owner can, and its files go too.
    let reply = app.call(DeletePhoto { campaign_id: f.campaign, photo_id: photo }, Some(&f.viewer)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app.call(DeletePhoto { campaign_id: f.campaign, photo_id: photo }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for variant in ["original", "display", "thumb"] {
        assert!(!app.state.storage.exists(&format!("campaigns/{c}/photos/{photo}/{variant}")).await);
    }
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM story_photos").fetch_one(&pool).await.unwrap();
    assert_eq!(links, 0);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_photo_uploaded_with_a_description_is_described_by_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let url = format!("/media/campaigns/{}/photos", f.campaign);
    let jpeg = fixture("photo_orient6_gps.jpg");
    let too_long = "x".repeat(1001);
    let reply = app.upload_with(&url, &[("caption", &too_long)], "photos", &[("a.jpg", &jpeg)], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("1,000 characters"), "{}", reply.body);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM photos").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0, "a refused description stores nothing");

    let reply = app
        .upload_with(&url, &[("caption", "  Mum at the lake, 1962 ")], "photos", &[("a.jpg", &jpeg)], Some(&f.owner))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let caption: Option<String> = sqlx::query_scalar("SELECT caption FROM photos").fetch_one(&pool).await.unwrap();
    assert_eq!(caption.as_deref(), Some("Mum at the lake, 1962"));
    let reply = app.upload_with(&url, &[("caption", "   ")], "photos", &[("b.jpg", &jpeg)], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let blank: Option<String> = sqlx::query_scalar("SELECT caption FROM photos WHERE original_filename = 'b.jpg'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(blank, None, "a blank description is no description");
}
