//! The real server binary with its own private PostgreSQL (safe settings: fsync on): the
//! database is killed with SIGKILL during a burst of story saves. The server must answer a
//! calm 503 quickly while it is down, bring its cluster back by itself, and keep every save it
//! acknowledged.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mystoryflow::api::auth::Signup;
use mystoryflow::api::campaigns::CreateCampaign;
use mystoryflow::api::stories::{CreateStory, SaveStory};
use mystoryflow::model::story::SaveOutcome;
use mystoryflow::server::postgres::{Durability, LocalPostgres};
use sqlx::Connection;
use uuid::Uuid;

pub struct Server {
    pub child: Child,
    pub base: String,
    pub data: std::path::PathBuf,
    pub http: reqwest::Client,
    pub cookie: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM: the server stops its own cluster on the way out.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
        if let Ok(pg) = LocalPostgres::new(&self.data, Durability::Safe) {
            if pg.is_running() {
                let _ = pg.stop();
            }
        }
        let _ = std::fs::remove_dir_all(&self.data);
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(self.data.with_extension("log"));
        }
    }
}

impl Server {
    pub async fn call<F: leptos::server_fn::ServerFn + serde::Serialize>(&self, args: F) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, F::PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("cookie", &self.cookie)
            .body(serde_qs::to_string(&args).unwrap())
            // Before the fix a request waited 30 s for the pool; now it is refused after about
            // one. Tests assert no timings, but one that hangs this long fails here.
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap()
    }

    /// Signs up `email` and keeps the session cookie for the calls that follow.
    pub async fn sign_up(&mut self, email: &str) {
        let reply = self
            .call(Signup {
                email: email.into(),
                name: "Test Person".into(),
                password: "a long enough password".into(),
                next: String::new(),
                invitation: String::new(),
            })
            .await;
        assert_eq!(reply.status(), 200);
        let cookie = reply.headers()["set-cookie"].to_str().unwrap();
        self.cookie = cookie.split(';').next().unwrap().to_owned();
    }

    pub async fn create_campaign(&self, title: &str) -> Uuid {
        let reply = self
            .call(CreateCampaign {
                title: title.into(),
                description: String::new(),
                storyteller_name: String::new(),
                storyteller_email: String::new(),
                relationship_type: String::new(),
                goal_stories: "10".into(),
            })
            .await;
        id_in(reply.headers()["location"].to_str().unwrap(), "/campaigns/")
    }

    /// Uploads the fixture photo to the campaign's gallery; returns the server's answer.
    pub async fn upload_photo(&self, campaign_id: Uuid) -> reqwest::Response {
        let photo = crate::fixtures::media_file("photo_orient6_gps.jpg");
        let form = reqwest::multipart::Form::new()
            .part("photos", reqwest::multipart::Part::bytes(photo).file_name("orchard.jpg"));
        self.http
            .post(format!("{}/media/campaigns/{campaign_id}/photos", self.base))
            .header("accept", "application/json")
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    fn postmaster_pid(&self) -> String {
        let pg = LocalPostgres::new(&self.data, Durability::Safe).unwrap();
        let pid_file = std::fs::read_to_string(pg.data_dir().join("postmaster.pid")).unwrap();
        pid_file.lines().next().unwrap().trim().to_owned()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start() -> Server {
    let mut server = spawn(&[]).await;
    server.sign_up("ann@example.com").await;
    server
}

/// The server binary with a data folder of its own under /tmp and these settings (without
/// DATABASE_URL: its own private cluster, with safe settings), answering /healthz.
pub async fn spawn(settings: &[(&str, &str)]) -> Server {
    let data = std::env::temp_dir().join(format!("msf-crash-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let log = std::fs::File::create(data.with_extension("log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_mystoryflow"))
        .env_remove("DATABASE_URL")
        .env_remove("MSF_PG_DISPOSABLE")
        .envs(settings.iter().copied())
        .env("MSF_DATA_DIR", &data)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "mystoryflow")
        // Its own (empty) site folder: at start a debug server clears the bundle's gzip
        // copies, which the_browser_bundle_is_sent_gzipped_and_cached_for_a_year makes in target/site meanwhile.
        .env("LEPTOS_SITE_ROOT", data.join("site"))
        .env("MSF_TRANSCRIBER", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server { child, base, data, http, cookie: String::new() };
    let started = Instant::now();
    loop {
        if let Ok(reply) = server.http.get(format!("{}/healthz", server.base)).send().await {
            if reply.status() == 200 {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the server never answered /healthz");
        if server.child.try_wait().unwrap().is_some() {
            // The data folder goes with `server`: say why here (e.g. a full disk).
            let log = std::fs::read_to_string(server.data.with_extension("log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
            panic!("the server exited; its log ends:\n{}", tail.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    server
}

fn id_in(location: &str, after: &str) -> Uuid {
    location.split(after).nth(1).unwrap().split('/').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_database_comes_back_with_every_acknowledged_save() {
    let server = start().await;
    let campaign_id = server.create_campaign("Dad's Life Stories").await;
    let reply = server
        .call(CreateStory {
            campaign_id,
            title: "The farm".into(),
            category: "childhood".into(),
            custom_category: String::new(),
        })
        .await;
    let story_id = id_in(reply.headers()["location"].to_str().unwrap(), "/stories/");

    let save = |version: i32, n: usize| SaveStory {
        campaign_id,
        story_id,
        version,
        title: "The farm".into(),
        content: format!("Save number {n}."),
        category: "childhood".into(),
        custom_category: String::new(),
        overwrite: false,
    };
    let mut version = 1;
    let mut acknowledged = None;
    let mut killed_at = None;
    let mut refused_within = None;
    for n in 0..400 {
        if n == 20 {
            let pid = server.postmaster_pid();
            assert!(Command::new("kill").args(["-9", &pid]).status().unwrap().success());
            killed_at = Some(Instant::now());
        }
        let sent = Instant::now();
        let reply = server.call(save(version, n)).await;
        let status = reply.status();
        if status == 200 {
            match reply.json::<SaveOutcome>().await.unwrap() {
                SaveOutcome::Saved { version: v, .. } => {
                    version = v;
                    acknowledged = Some((n, v));
                    if killed_at.is_some() && refused_within.is_some() {
                        break; // back, and saving again
                    }
                }
                SaveOutcome::Conflict { version: v, .. } => version = v,
            }
        } else {
            assert_eq!(status, 503, "while the database is down: {}", reply.text().await.unwrap_or_default());
            let body = reply.text().await.unwrap();
            assert!(body.contains("Unavailable"), "the error the editor retries on: {body}");
            let took = sent.elapsed();
            eprintln!("a save while the database was down was refused after {took:?}");
            refused_within.get_or_insert(took);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(
            killed_at.is_none_or(|at| at.elapsed() < Duration::from_secs(90)),
            "the server never brought its database back"
        );
    }
    assert!(refused_within.is_some(), "some save met the database down");
    let (n, v) = acknowledged.expect("a save after the restart");
    assert!(n > 20, "saving works again after the restart");

    let pg = LocalPostgres::new(&server.data, Durability::Safe).unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.admin_url("mystoryflow")).await.unwrap();
    let (content, stored_version): (String, i32) = sqlx::query_as("SELECT content, version FROM stories WHERE id = $1")
        .bind(story_id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored_version, v, "the last acknowledged save is the stored one");
    assert_eq!(content, format!("Save number {n}."));
    conn.close().await.ok();
}

async fn table_counts(conn: &mut sqlx::PgConnection) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables
         WHERE table_schema IN ('public', 'auth') AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&mut *conn).await.unwrap();
        counts.push((table, n));
    }
    counts
}

fn media_checksums(dir: &std::path::Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(entry.path()).unwrap().hash(&mut hasher);
                found.push((entry.path().strip_prefix(dir).unwrap().display().to_string(), hasher.finish()));
            }
        }
    }
    found.sort();
    found
}

fn cli(data: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mystoryflow"))
        .env_remove("DATABASE_URL")
        .env_remove("MSF_PG_DISPOSABLE")
        .env("RUST_LOG", "warn")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wiped_database_is_restored_to_a_point_in_time_with_its_media() {
    let mut server = start().await;
    let campaign_id = server.create_campaign("Mum's Stories").await;
    let story = |title: &str| CreateStory {
        campaign_id,
        title: title.into(),
        category: "childhood".into(),
        custom_category: String::new(),
    };
    server.call(story("Before the backup")).await;
    let uploaded = server.upload_photo(campaign_id).await;
    assert_eq!(uploaded.status(), 200, "{}", uploaded.text().await.unwrap_or_default());
    let media_dir = server.data.join("media");
    let media = media_checksums(&media_dir);
    assert_eq!(media.len(), 3, "original, display and thumbnail: {media:?}");

    cli(&server.data, &["db", "backup"]);
    // After the base backup: only in the archived WAL.
    server.call(story("After the backup")).await;
    let pg = LocalPostgres::new(&server.data, Durability::Safe).unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.admin_url("mystoryflow")).await.unwrap();
    let at_target = table_counts(&mut conn).await;
    let target: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(&mut conn).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.call(story("After the moment restored to")).await;
    let segment: String =
        sqlx::query_scalar("SELECT pg_walfile_name(pg_switch_wal())").fetch_one(&mut conn).await.unwrap();
    conn.close().await.ok();
    let archived = pg.backup_dir().unwrap().join("wal").join(format!("{segment}.gz"));
    let waiting = Instant::now();
    while !archived.exists() {
        assert!(waiting.elapsed() < Duration::from_secs(60), "{archived:?} was never archived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The server goes, and with it the database and the media folder.
    let _ = Command::new("kill").arg(server.child.id().to_string()).status();
    let _ = server.child.wait();
    assert!(!pg.is_running(), "the server stopped its cluster");
    std::fs::remove_dir_all(pg.data_dir()).unwrap();
    std::fs::remove_dir_all(&media_dir).unwrap();

    let when = target.format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    cli(&server.data, &["db", "restore", "--to", &when]);
    assert_eq!(media_checksums(&media_dir), media, "every media file back, byte for byte");
    pg.start().unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.admin_url("mystoryflow")).await.unwrap();
    assert_eq!(table_counts(&mut conn).await, at_target, "every table as it was at {when}");
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT title FROM stories ORDER BY created_at").fetch_all(&mut conn).await.unwrap();
    assert_eq!(titles, ["Before the backup", "After the backup"]);
    conn.close().await.ok();
    pg.stop().unwrap();
    server.cookie.clear();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_backups_started_at_once_each_finish_in_a_folder_of_their_own() {
    let server = start().await;
    // The server takes its first nightly backup as it starts; two more are asked for at the
    // same moment (they used to share a folder named after the second, and one failed).
    std::thread::scope(|threads| {
        let backups: Vec<_> = (0..2).map(|_| threads.spawn(|| cli(&server.data, &["db", "backup"]))).collect();
        for backup in backups {
            backup.join().unwrap();
        }
    });
    let pg = LocalPostgres::new(&server.data, Durability::Safe).unwrap();
    let waiting = Instant::now();
    while mystoryflow::server::backup::base_backups(&pg).unwrap().len() < 3 {
        assert!(waiting.elapsed() < Duration::from_secs(60), "the server's own first backup never finished");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let folders: Vec<_> = std::fs::read_dir(pg.backup_dir().unwrap().join("base")).unwrap().flatten().collect();
    assert_eq!(folders.len(), 3, "three whole backups and nothing half-written: {folders:?}");
}

/// Renders a one-story book through the server and returns its render status and error
/// once the render has ended.
async fn render_a_book(server: &Server) -> (String, Option<String>) {
    use mystoryflow::api::books::{CreateBook, RenderBook};
    let campaign_id = server.create_campaign("Grandpa's Stories").await;
    let reply = server.call(CreateBook { campaign_id, title: "Grandpa".into() }).await;
    let book_id: Uuid = reply.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let reply = server.call(RenderBook { campaign_id, book_id }).await;
    assert_eq!(reply.status(), 200);
    let pg = LocalPostgres::new(&server.data, Durability::Safe).unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.admin_url("mystoryflow")).await.unwrap();
    let waiting = Instant::now();
    loop {
        let (status, error): (String, Option<String>) =
            sqlx::query_as("SELECT render_status, render_error FROM books WHERE id = $1")
                .bind(book_id)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        if status == "done" || status == "failed" {
            conn.close().await.ok();
            return (status, error);
        }
        assert!(waiting.elapsed() < Duration::from_secs(300), "the render never ended ({status})");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_runs_in_a_child_process_and_fails_alone_past_its_memory_limit() {
    let server = start().await;
    assert_eq!(render_a_book(&server).await, ("done".to_owned(), None), "a render in its child process");
    drop(server);

    let mut starved = spawn(&[("MSF_RENDER_MEMORY_MB", "48")]).await;
    starved.sign_up("bo@example.com").await;
    let (status, error) = render_a_book(&starved).await;
    assert_eq!(status, "failed");
    assert!(error.unwrap_or_default().contains("more memory"), "the book says why");
    let health = starved.http.get(format!("{}/healthz", starved.base)).send().await.unwrap();
    assert_eq!(health.status(), 200, "the server itself kept running");
    let pg = LocalPostgres::new(&starved.data, Durability::Safe).unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.admin_url("mystoryflow")).await.unwrap();
    let job: (String, i32, i32) =
        sqlx::query_as("SELECT status, attempts, max_attempts FROM jobs WHERE kind = 'render_book'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(job.0, "failed", "not retried: the same book would fail the same way");
    conn.close().await.ok();
}

/// A PostgreSQL cluster of the test's own in a temporary folder, standing in for a database
/// run elsewhere (DATABASE_URL); stopped and removed when the test ends, however it ends.
struct ExternalDatabase {
    root: std::path::PathBuf,
    pg: LocalPostgres,
}

impl ExternalDatabase {
    /// Started, with the app's role and database (as `mystoryflow db start` makes them);
    /// returns it and the URL the server is given.
    async fn start() -> (Self, String) {
        let root = std::env::temp_dir().join(format!("msf-external-{}", Uuid::new_v4().simple()));
        // Safe settings, as a real database server's: a save it acknowledged survives the kill
        // below (a disposable cluster commits asynchronously and may lose the last ones).
        let pg = LocalPostgres::new(&root, Durability::Safe).unwrap();
        let external = ExternalDatabase { root, pg };
        external.pg.start().unwrap();
        let url = external.pg.ensure_app_database("mystoryflow").await.unwrap();
        (external, url)
    }
}

impl Drop for ExternalDatabase {
    fn drop(&mut self) {
        if self.pg.is_running() {
            let _ = self.pg.stop();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_external_database_the_server_refuses_quickly_while_it_is_down_and_recovers_without_a_restart() {
    let (external, url) = ExternalDatabase::start().await;
    let mut server = spawn(&[("DATABASE_URL", &url)]).await;
    let private = LocalPostgres::new(&server.data, Durability::Safe).unwrap();
    assert!(!private.data_dir().join("PG_VERSION").exists(), "no private cluster beside an external database");
    server.sign_up("cy@example.com").await;
    server.create_campaign("Before the outage").await;
    let dashboard = || {
        server
            .http
            .get(format!("{}/dashboard", server.base))
            .header("accept", "text/html")
            .header("cookie", &server.cookie)
            .timeout(Duration::from_secs(10))
            .send()
    };
    assert_eq!(dashboard().await.unwrap().status(), 200);
    let health = || server.http.get(format!("{}/healthz", server.base)).timeout(Duration::from_secs(10)).send();
    let create = |title: &str| CreateCampaign {
        title: title.into(),
        description: String::new(),
        storyteller_name: String::new(),
        storyteller_email: String::new(),
        relationship_type: String::new(),
        goal_stories: "10".into(),
    };

    // SIGKILL, as the existing crash test: its socket file stays, so a connection is refused
    // (as over TCP to a database host that is up but whose PostgreSQL is not) and the pool
    // keeps trying until its acquire timeout, rather than failing at once on a missing file.
    let pid_file = std::fs::read_to_string(external.pg.data_dir().join("postmaster.pid")).unwrap();
    let pid = pid_file.lines().next().unwrap().trim().to_owned();
    assert!(Command::new("kill").args(["-9", &pid]).status().unwrap().success());
    // Its backends notice and end; until then a pooled connection may still answer.
    let killed = Instant::now();
    loop {
        if health().await.expect("an answer, not a hang").status() == 503 {
            break;
        }
        assert!(killed.elapsed() < Duration::from_secs(30), "the server never noticed the database was gone");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = Instant::now();
    let reply = server.call(create("During the outage")).await;
    let took = sent.elapsed();
    let status = reply.status();
    let body = reply.text().await.unwrap();
    assert_eq!(status, 503, "a server function while the database is down: {body}");
    assert!(body.contains("Unavailable"), "the error the app retries on: {body}");
    eprintln!("a server function was refused after {took:?} while the external database was down");
    let sent = Instant::now();
    let reply = dashboard().await.expect("an answer, not a hang");
    let took = sent.elapsed();
    assert_eq!(reply.status(), 503);
    let page = reply.text().await.unwrap();
    assert!(page.contains("back in a moment"), "the calm page: {page}");
    eprintln!("a page was refused after {took:?} while the external database was down");
    assert!(server.child.try_wait().unwrap().is_none(), "the server kept running");

    // The database comes back; the same server process uses it again.
    // A restart may have to wait for the killed cluster's last backends to let go of it.
    // pg_ctl may still see the killed postmaster for a moment (start() then reports it
    // running and starts nothing): only a start that started it counts.
    let restarting = Instant::now();
    loop {
        match external.pg.start() {
            Ok(true) => break,
            Ok(false) => eprintln!("the killed database still looks like it is running"),
            Err(err) => eprintln!("the external database did not restart yet: {err:#}"),
        }
        assert!(restarting.elapsed() < Duration::from_secs(30), "the external database did not restart");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let back = Instant::now();
    loop {
        let reply = server.call(create("After the outage")).await;
        if reply.status() == 200 && reply.headers().contains_key("location") {
            break;
        }
        let status = reply.status();
        assert_eq!(status, 503, "while reconnecting: {}", reply.text().await.unwrap_or_default());
        assert!(back.elapsed() < Duration::from_secs(60), "the server never used the database again");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!("saving worked again {:?} after the external database was back", back.elapsed());
    assert_eq!(dashboard().await.unwrap().status(), 200, "pages too");
    assert_eq!(health().await.unwrap().status(), 200);

    let mut conn = sqlx::PgConnection::connect(&external.pg.admin_url("mystoryflow")).await.unwrap();
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT title FROM campaigns ORDER BY created_at").fetch_all(&mut conn).await.unwrap();
    assert_eq!(titles, ["Before the outage", "After the outage"], "both saves in the external database");
    conn.close().await.ok();
    assert!(!private.data_dir().join("PG_VERSION").exists(), "still no private cluster");
}
