//! `mystoryflow backup` and `restore` through the real binary: a family's stories, recordings
//! and photos move to a fresh database and media store (local or S3) and are served there.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use http::StatusCode;
use mystoryflow::server::media::{storage::S3Config, Storage};
use sha2::{Digest, Sha256};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::fixtures::{create_story, family, media_file as fixture, Family};
use crate::helpers::{run_binary_with, TestApp};

/// A database made for one test on the test cluster (DATABASE_URL), dropped by [`Self::drop`].
struct Fresh {
    name: String,
    url: String,
}

impl Fresh {
    async fn new(pool: &PgPool) -> Self {
        let name = format!("msf_restore_{}", Uuid::new_v4().simple());
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(pool).await.unwrap();
        let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test cluster");
        let (before_query, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let (server, _) = before_query.rsplit_once('/').unwrap();
        Fresh { url: format!("{server}/{name}?{query}"), name }
    }

    async fn drop(self, pool: &PgPool) {
        sqlx::raw_sql(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).execute(pool).await.unwrap();
    }
}

fn scratch(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("msf-{what}-{}", Uuid::new_v4()))
}

async fn database_url(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let admin = std::env::var("DATABASE_URL").unwrap();
    let (before_query, query) = admin.split_once('?').unwrap_or((&admin, ""));
    format!("{}/{name}?{query}", before_query.rsplit_once('/').unwrap().0)
}

/// Rows in every table of every schema but PostgreSQL's own.
async fn row_counts(url: &str) -> BTreeMap<String, i64> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut counts = BTreeMap::new();
    for (schema, table) in tables {
        let sql = format!("SELECT count(*) FROM \"{schema}\".\"{table}\"");
        counts.insert(format!("{schema}.{table}"), sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap());
    }
    conn.close().await.ok();
    counts
}

/// Every file under `dir` (its path inside it) with its SHA-256.
fn checksums(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let sum = format!("{:x}", Sha256::digest(std::fs::read(&path).unwrap()));
                into.insert(path.strip_prefix(root).unwrap().to_string_lossy().into_owned(), sum);
            }
        }
    }
    let mut sums = BTreeMap::new();
    walk(dir, dir, &mut sums);
    sums
}

fn audio_path(campaign: Uuid, story: Uuid) -> String {
    format!("/media/campaigns/{campaign}/stories/{story}/audio")
}

/// A family with a story that has a recording and a photo; the story's id.
async fn family_with_a_recorded_story(app: &TestApp, pool: &PgPool) -> (Family, Uuid) {
    let f = family(app, pool).await;
    let story = create_story(app, &f.owner, f.campaign, "Told aloud").await;
    let audio = [("speech.webm", fixture("chrome_mediarecorder.webm"))];
    let audio: Vec<(&str, &[u8])> = audio.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let reply = app.upload(&audio_path(f.campaign, story), "audio", &audio, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let photos = format!("/media/campaigns/{}/photos?story={story}", f.campaign);
    let jpeg = fixture("photo_orient6_gps.jpg");
    let reply = app.upload(&photos, "photos", &[("lake.jpg", &jpeg)], Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    (f, story)
}

/// Backs up `pool`'s database and `app`'s media into a new archive; its path.
async fn back_up(pool: &PgPool, data_dir: &Path) -> PathBuf {
    let archive = scratch("backup.tar");
    let args = ["backup", archive.to_str().unwrap()];
    let (ok, out) = run_binary_with(pool, &args, &[("MSF_DATA_DIR", data_dir.to_str().unwrap())]).await;
    assert!(ok, "{out}");
    archive
}

async fn restore(pool: &PgPool, archive: &Path, database: &str, data_dir: &Path, force: bool) -> (bool, String) {
    let mut args = vec!["restore", archive.to_str().unwrap()];
    if force {
        args.push("--force");
    }
    let env = [("DATABASE_URL", database), ("MSF_DATA_DIR", data_dir.to_str().unwrap())];
    run_binary_with(pool, &args, &env).await
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_backup_restores_into_a_fresh_database_and_media_folder_and_the_story_plays_there(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (f, story) = family_with_a_recorded_story(&app, &pool).await;
    let archive = back_up(&pool, app.data_dir()).await;

    let target = Fresh::new(&pool).await;
    let restored_dir = scratch("restored");
    let (ok, out) = restore(&pool, &archive, &target.url, &restored_dir, false).await;
    assert!(ok && out.contains("restored"), "{out}");
    let counts = row_counts(&target.url).await;
    assert_eq!(row_counts(&database_url(&pool).await).await, counts);
    assert_eq!(counts["public.stories"], 1);
    let media = checksums(&app.data_dir().join("media"));
    assert!(media.len() >= 2, "the recording and the photo's files: {media:?}");
    assert_eq!(checksums(&restored_dir.join("media")), media);

    let restored_pool = PgPool::connect(&target.url).await.unwrap();
    let restored = TestApp::over_data_dir(restored_pool.clone(), restored_dir).await;
    let viewer = restored.logged_in("viewer@example.com").await;
    let page = restored.get(&format!("/campaigns/{}/stories/{story}", f.campaign), Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Told aloud"), "{}", page.body);
    let (status, _, bytes) = restored.get_bytes(&audio_path(f.campaign, story), Some(&viewer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, fixture("chrome_mediarecorder.webm"));
    // The outsider is still outside: the grants and row-level policies came along.
    let outsider = restored.logged_in("outsider@example.com").await;
    let (status, _, _) = restored.get_bytes(&audio_path(f.campaign, story), Some(&outsider), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    drop(restored);
    restored_pool.close().await;
    target.drop(&pool).await;
    std::fs::remove_file(archive).ok();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_restore_refuses_a_database_or_media_store_in_use_unless_forced(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    family_with_a_recorded_story(&app, &pool).await;
    let archive = back_up(&pool, app.data_dir()).await;
    let source = database_url(&pool).await;
    let (rows, media) = (row_counts(&source).await, checksums(&app.data_dir().join("media")));

    // Over the very data it came from: refused, and nothing changes.
    let (ok, out) = restore(&pool, &archive, &source, app.data_dir(), false).await;
    assert!(!ok && out.contains("nothing was restored") && out.contains("--force"), "{out}");
    assert_eq!(row_counts(&source).await, rows);
    assert_eq!(checksums(&app.data_dir().join("media")), media);

    // A database someone has begun to use, or a stray file in the media folder: the same.
    let target = Fresh::new(&pool).await;
    let dir = scratch("restored");
    assert!(restore(&pool, &archive, &target.url, &dir, false).await.0);
    let mut conn = PgConnection::connect(&target.url).await.unwrap();
    sqlx::query("INSERT INTO auth.users (email, encrypted_password) VALUES ('new@example.com', 'x')")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    std::fs::write(dir.join("media/stray"), b"not in the backup").unwrap();
    let (ok, out) = restore(&pool, &archive, &target.url, &dir, false).await;
    assert!(!ok && out.contains("the database has") && out.contains("the media store has"), "{out}");
    assert_eq!(row_counts(&target.url).await["auth.users"], rows["auth.users"] + 1);
    assert!(dir.join("media/stray").exists());

    // --force makes them the backup again.
    let (ok, out) = restore(&pool, &archive, &target.url, &dir, true).await;
    assert!(ok, "{out}");
    assert_eq!(row_counts(&target.url).await, rows);
    assert_eq!(checksums(&dir.join("media")), media);

    target.drop(&pool).await;
    std::fs::remove_dir_all(dir).ok();
    std::fs::remove_file(archive).ok();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_damaged_or_cut_short_backup_is_refused_before_anything_changes(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    family_with_a_recorded_story(&app, &pool).await;
    let archive = back_up(&pool, app.data_dir()).await;

    // One flipped byte inside a media file.
    let mut bytes = std::fs::read(&archive).unwrap();
    let offset = {
        let mut tar = tar::Archive::new(bytes.as_slice());
        let mut entries = tar.entries().unwrap().map(Result::unwrap);
        let media = entries.find(|e| e.path_bytes().starts_with(b"media/")).expect("a media file");
        media.raw_file_position() as usize + 100
    };
    bytes[offset] ^= 0xff;
    let damaged = scratch("damaged.tar");
    std::fs::write(&damaged, &bytes).unwrap();
    let cut = scratch("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();

    let target = Fresh::new(&pool).await;
    let dir = scratch("restored");
    let (ok, out) = restore(&pool, &damaged, &target.url, &dir, false).await;
    assert!(!ok && out.contains("damaged") && out.contains("does not match its checksum"), "{out}");
    let (ok, out) = restore(&pool, &cut, &target.url, &dir, false).await;
    assert!(!ok && (out.contains("not a readable") || out.contains("cut short")), "{out}");
    assert!(row_counts(&target.url).await.is_empty(), "no table was made");
    assert!(checksums(&dir).is_empty(), "no media file was written");

    target.drop(&pool).await;
    for file in [archive, damaged, cut] {
        std::fs::remove_file(file).ok();
    }
    std::fs::remove_dir_all(dir).ok();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn media_in_s3_moves_to_a_local_folder_and_back_to_another_bucket(pool: PgPool) {
    let (_moto, endpoint) = crate::fixtures::moto("msf-archive").await;
    reqwest::Client::new().put(format!("{endpoint}/msf-moved")).send().await.unwrap();
    let s3 = |bucket: &str| S3Config {
        bucket: bucket.into(),
        endpoint: Some(endpoint.clone()),
        region: "us-east-1".into(),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
    };
    let source = Storage::s3(&s3("msf-archive")).unwrap();
    let mut stored = BTreeMap::new();
    for (key, name) in
        [("campaigns/c/stories/s/audio", "speech.mp3"), ("campaigns/c/photos/p/original", "photo_orient6_gps.jpg")]
    {
        source.put_bytes(key, fixture(name)).await.unwrap();
        stored.insert(key.to_owned(), format!("{:x}", Sha256::digest(fixture(name))));
    }
    let settings = |bucket: &'static str| {
        vec![
            ("MSF_S3_BUCKET", bucket),
            ("MSF_S3_ENDPOINT", endpoint.as_str()),
            ("MSF_S3_ACCESS_KEY_ID", "test"),
            ("MSF_S3_SECRET_ACCESS_KEY", "test"),
        ]
    };
    let archive = scratch("s3.tar");
    let (ok, out) = run_binary_with(&pool, &["backup", archive.to_str().unwrap()], &settings("msf-archive")).await;
    assert!(ok, "{out}");

    let local = Fresh::new(&pool).await;
    let dir = scratch("restored");
    let (ok, out) = restore(&pool, &archive, &local.url, &dir, false).await;
    assert!(ok, "{out}");
    assert_eq!(checksums(&dir.join("media")), stored);
    assert_eq!(row_counts(&local.url).await, row_counts(&database_url(&pool).await).await);

    let other = Fresh::new(&pool).await;
    let mut env = settings("msf-moved");
    env.push(("DATABASE_URL", other.url.as_str()));
    let (ok, out) = run_binary_with(&pool, &["restore", archive.to_str().unwrap()], &env).await;
    assert!(ok, "{out}");
    let moved = Storage::s3(&s3("msf-moved")).unwrap();
    let mut found = BTreeMap::new();
    for (key, _) in moved.list().await.unwrap() {
        found.insert(key.clone(), format!("{:x}", Sha256::digest(moved.read_all(&key).await.unwrap())));
    }
    assert_eq!(found, stored);

    local.drop(&pool).await;
    other.drop(&pool).await;
    std::fs::remove_dir_all(dir).ok();
    std::fs::remove_file(archive).ok();
}
