//! A TestApp that drives the real router with `oneshot` requests, one method per endpoint.
use axum::{body::Body, Router};
use http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use leptos::server_fn::ServerFn;
use mystoryflow::api::auth::{Login, Signup};
use mystoryflow::server::{db::Db, media::Storage, orders::Printer, router, state::AppState};
use sqlx::PgPool;
use tower::ServiceExt;

pub const PASSWORD: &str = "a long enough password";
/// What the test server expects in `X-Inbound-Secret` on `POST /inbound/email`.
pub const INBOUND_SECRET: &str = "the inbound mail service's secret";

pub struct TestApp {
    router: Router,
    pub state: AppState,
    media_dir: std::path::PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.media_dir);
    }
}

/// How a request is sent: by the hydrated app (fetch) or by a plain HTML form.
#[derive(Clone, Copy, PartialEq)]
pub enum Client {
    Script,
    PlainForm,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The session cookie this reply sets, as `name=value`.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(router::SESSION_COOKIE))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }

    pub fn set_cookie_header(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(router::SESSION_COOKIE))
            .map(str::to_owned)
    }
}

impl TestApp {
    pub async fn new(pool: PgPool) -> Self {
        Self::with_secure_cookies(pool, false).await
    }

    /// As deployed behind https (PUBLIC_URL=https://…).
    pub async fn with_secure_cookies(pool: PgPool, secure: bool) -> Self {
        Self::with_settings(pool, secure, mystoryflow::server::limits::Quota::from_env(), true, false).await
    }

    /// With this print provider (e.g. Lulu at a stand-in's address).
    pub async fn with_printer(pool: PgPool, printer: Printer) -> Self {
        let media_dir = std::env::temp_dir().join(format!("msf-test-{}", uuid::Uuid::new_v4()));
        let quota = mystoryflow::server::limits::Quota::from_env();
        Self::with_dir(pool, false, quota, true, false, media_dir, printer).await
    }

    /// With this much storage allowed per campaign and per owner.
    pub async fn with_quota(pool: PgPool, quota: mystoryflow::server::limits::Quota) -> Self {
        Self::with_settings(pool, false, quota, true, false).await
    }

    /// As a fresh install without SMTP: no mail can prove an address, so sign-up logs in.
    pub async fn without_email(pool: PgPool, secure: bool) -> Self {
        Self::with_settings(pool, secure, mystoryflow::server::limits::Quota::from_env(), false, false).await
    }

    /// Serving a site whose bundle files are named after their contents (cargo-leptos's
    /// hash-files), as `scripts/test.sh` builds it.
    pub async fn with_hashed_bundle(pool: PgPool) -> Self {
        Self::with_settings(pool, false, mystoryflow::server::limits::Quota::from_env(), true, true).await
    }

    /// Over a data folder that exists already (its `media/` as the store), e.g. a restored one;
    /// the folder is removed with the app.
    pub async fn over_data_dir(pool: PgPool, data_dir: std::path::PathBuf) -> Self {
        let quota = mystoryflow::server::limits::Quota::from_env();
        Self::with_dir(pool, false, quota, true, false, data_dir, Printer::manual(Default::default())).await
    }

    /// The folder the server's MSF_DATA_DIR would be: media in `media/`, staged uploads.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.media_dir
    }

    async fn with_settings(
        pool: PgPool,
        secure: bool,
        quota: mystoryflow::server::limits::Quota,
        email_sends: bool,
        hashed_bundle: bool,
    ) -> Self {
        let media_dir = std::env::temp_dir().join(format!("msf-test-{}", uuid::Uuid::new_v4()));
        Self::with_dir(pool, secure, quota, email_sends, hashed_bundle, media_dir, Printer::manual(Default::default()))
            .await
    }

    async fn with_dir(
        pool: PgPool,
        secure: bool,
        quota: mystoryflow::server::limits::Quota,
        email_sends: bool,
        hashed_bundle: bool,
        media_dir: std::path::PathBuf,
        printer: Printer,
    ) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("mystoryflow")
            .site_root("target/site")
            .hash_files(hashed_bundle)
            .build();
        let state = AppState {
            leptos_options,
            db: Db::new(pool),
            storage: Storage::local(&media_dir.join("media")).expect("media folder"),
            staging_dir: media_dir.join("uploads"),
            transcription_enabled: false,
            email_sends,
            public_url: "http://localhost:3000".into(),
            signer: mystoryflow::server::notify::Signer::new([1; 32]),
            // Tests name their client address in this header (the per-address rate limits).
            client_ip_header: Some(http::HeaderName::from_static("x-test-client-ip")),
            quota,
            printer,
            inbound_secret: Some(INBOUND_SECRET.into()),
            replies_by_email: true,
        };
        TestApp { router: router::build(state.clone(), secure), state, media_dir }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response: Response<Body> =
            tokio::time::timeout(std::time::Duration::from_secs(30), self.router.clone().oneshot(request))
                .await
                .expect("the app answered within 30 s")
                .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function through its own typed arguments, at its own path, as the app's
    /// script does: a renamed or retyped argument fails to compile, not at run time.
    pub async fn call<F>(&self, args: F, cookie: Option<&str>) -> Reply
    where
        F: ServerFn + serde::Serialize,
    {
        self.call_as(args, cookie, Client::Script).await
    }

    /// As [`call`](Self::call), sent by `client`: the same form-encoded body (serde_qs, as
    /// the server function decodes it), with the headers of the app's script or of a browser
    /// without JavaScript posting a form.
    pub async fn call_as<F>(&self, args: F, cookie: Option<&str>, client: Client) -> Reply
    where
        F: ServerFn + serde::Serialize,
    {
        let body = serde_qs::to_string(&args).expect("server function arguments encode");
        self.post(F::PATH, body, cookie, client).await
    }

    /// Posts `form` as it is, unchecked, to `F`'s path: only for tests of what the server
    /// answers to arguments its typed struct cannot express (a malformed id, a missing or
    /// mistyped field). Everything else goes through [`call`](Self::call).
    pub async fn post_raw<F: ServerFn>(&self, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        self.post(F::PATH, body, cookie, Client::Script).await
    }

    async fn post(&self, path: &str, body: String, cookie: Option<&str>, client: Client) -> Reply {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        req = match client {
            Client::Script => req.header(header::ACCEPT, "application/json"),
            Client::PlainForm => req
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .header(header::REFERER, "http://localhost/somewhere"),
        };
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// A form posted to a route (not a server function); the answer's body as bytes.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        client: Client,
    ) -> (StatusCode, http::HeaderMap, Vec<u8>) {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        req = match client {
            Client::Script => req.header(header::ACCEPT, "application/json"),
            Client::PlainForm => req.header(header::ACCEPT, "text/html,application/xhtml+xml"),
        };
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        let response = self.router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, bytes)
    }

    /// A multipart upload of one or more files in `field`, as the app's script sends it.
    pub async fn upload(&self, path: &str, field: &str, files: &[(&str, &[u8])], cookie: Option<&str>) -> Reply {
        self.upload_with(path, &[], field, files, cookie).await
    }

    /// A multipart post with text fields first (as the page's forms send them), then files.
    pub async fn upload_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        files: &[(&str, &[u8])],
        cookie: Option<&str>,
    ) -> Reply {
        let boundary = "msf-test-boundary-7c1e";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, bytes) in files {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// A GET of a media file, optionally for a byte range.
    pub async fn get_bytes(
        &self,
        path: &str,
        cookie: Option<&str>,
        range: Option<&str>,
    ) -> (StatusCode, http::HeaderMap, Vec<u8>) {
        let mut req = Request::get(path);
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        if let Some(range) = range {
            req = req.header(header::RANGE, range);
        }
        let response = self.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, bytes)
    }

    /// Signs up through the app (argon2 at full cost: slow in a debug build). Tests that only
    /// need a person use tests/fixtures/users.sql and [`logged_in`](Self::logged_in).
    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Reply {
        let args = Signup {
            email: email.into(),
            name: name.into(),
            password: password.into(),
            next: String::new(),
            invitation: String::new(),
        };
        self.call(args, None).await
    }

    pub async fn log_in(&self, email: &str, password: &str, cookie: Option<&str>, client: Client) -> Reply {
        let args = Login { email: email.into(), password: password.into(), next: String::new() };
        self.call_as(args, cookie, client).await
    }

    /// Logs in with PASSWORD (as the app's script does) and returns the session cookie. The
    /// person comes from an SQL fixture: tests/fixtures/users.sql.
    pub async fn logged_in(&self, email: &str) -> String {
        let reply = self.log_in(email, PASSWORD, None, Client::Script).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "log-in as {email} failed (does the test load tests/fixtures/users.sql?): {}",
            reply.body
        );
        reply.session_cookie().expect("logging in sets a session cookie")
    }
}

/// Runs the server binary with `args` against `pool`'s database; (success, stdout + stderr).
pub async fn run_binary(pool: &PgPool, args: &[&str]) -> (bool, String) {
    run_binary_with(pool, args, &[]).await
}

/// As [`run_binary`], with more environment (which may name another DATABASE_URL).
pub async fn run_binary_with(pool: &PgPool, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (before, after) = base.split_once('?').unwrap_or((base.as_str(), ""));
    let query = if after.is_empty() { String::new() } else { format!("?{after}") };
    let url = format!("{}/{database}{query}", &before[..before.rfind('/').unwrap()]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mystoryflow"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// As [`run_binary_with`], writing `stdin` to the command; (exit code, stdout + stderr).
pub async fn run_binary_stdin(
    pool: &PgPool,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &[u8],
) -> (Option<i32>, String) {
    use std::io::Write;
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (before, after) = base.split_once('?').unwrap_or((base.as_str(), ""));
    let query = if after.is_empty() { String::new() } else { format!("?{after}") };
    let url = format!("{}/{database}{query}", &before[..before.rfind('/').unwrap()]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mystoryflow"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}
