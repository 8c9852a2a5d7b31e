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

struct Server {
    child: Child,
    base: String,
    data: std::path::PathBuf,
    http: reqwest::Client,
    cookie: String,
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
    }
}

impl Server {
    async fn call<F: leptos::server_fn::ServerFn + serde::Serialize>(&self, args: F) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, F::PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("cookie", &self.cookie)
            .body(serde_qs::to_string(&args).unwrap())
            .timeout(Duration::from_secs(30))
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
    let data = std::env::temp_dir().join(format!("msf-crash-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let log = std::fs::File::create(data.with_extension("log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_mystoryflow"))
        .env_remove("DATABASE_URL")
        .env_remove("MSF_PG_DISPOSABLE")
        .env("MSF_DATA_DIR", &data)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "mystoryflow")
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
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "the server exited; see {:?}",
            server.data.with_extension("log")
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let reply = server
        .call(Signup {
            email: "ann@example.com".into(),
            name: "Ann".into(),
            password: "a long enough password".into(),
            next: String::new(),
            invitation: String::new(),
        })
        .await;
    assert_eq!(reply.status(), 200);
    let cookie = reply.headers()["set-cookie"].to_str().unwrap();
    server.cookie = cookie.split(';').next().unwrap().to_owned();
    server
}

fn id_in(location: &str, after: &str) -> Uuid {
    location.split(after).nth(1).unwrap().split('/').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_database_comes_back_with_every_acknowledged_save() {
    let server = start().await;
    let reply = server
        .call(CreateCampaign {
            title: "Dad's Life Stories".into(),
            description: String::new(),
            storyteller_name: String::new(),
            storyteller_email: String::new(),
            relationship_type: String::new(),
            goal_stories: "10".into(),
        })
        .await;
    let campaign_id = id_in(reply.headers()["location"].to_str().unwrap(), "/campaigns/");
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
            assert!(took < Duration::from_secs(2), "a refusal took {took:?}");
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
