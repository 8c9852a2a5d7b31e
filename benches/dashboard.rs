//! Dashboard benchmark: a user with 50 campaigns and 10,000 stories opens /dashboard.
//! Prints server time per request and SQL statements per request; asserts nothing.
//!
//!     cargo bench --features ssr --bench dashboard
//!
//! Uses DATABASE_URL when set (a superuser URL), else the private cluster under .data/bench.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use http::{header, Request};
use leptos::config::LeptosOptions;
use mystoryflow::server::{
    db::Db,
    db::MIGRATOR,
    postgres::{Durability, LocalPostgres},
    router,
    state::AppState,
};
use sqlx::{postgres::PgPoolOptions, Connection, PgConnection};
use tower::ServiceExt;
use tracing_subscriber::{layer::SubscriberExt, Layer};

const CAMPAIGNS: i32 = 50;
const STORIES: i32 = 10_000;
const REQUESTS: usize = 200;

/// Counts the statements sqlx runs (it logs each one under the target `sqlx::query`).
struct StatementCounter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for StatementCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::Relaxed);
            if std::env::var_os("BENCH_SHOW_SQL").is_some() {
                struct Summary;
                impl tracing::field::Visit for Summary {
                    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                        if field.name() == "summary" {
                            eprintln!("sql: {value:?}");
                        }
                    }
                }
                event.record(&mut Summary);
            }
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let statements = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(
        StatementCounter(statements.clone())
            .with_filter(tracing_subscriber::filter::Targets::new().with_target("sqlx::query", tracing::Level::TRACE)),
    );
    tracing::subscriber::set_global_default(subscriber)?;

    let (admin_url, local) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let pg = LocalPostgres::new(std::path::Path::new(".data/bench"), Durability::Disposable)?;
            let started = pg.start()?;
            pg.ensure_app_database("mystoryflow").await?;
            (pg.admin_url("postgres"), Some((pg, started)))
        }
    };
    let database = format!("bench_{}", std::process::id());
    let mut admin = PgConnection::connect(&admin_url).await?;
    sqlx::raw_sql(&format!("CREATE DATABASE {database}")).execute(&mut admin).await?;
    let url = replace_database(&admin_url, &database);

    let result = run(&url, &statements).await;

    sqlx::raw_sql(&format!("DROP DATABASE {database} WITH (FORCE)")).execute(&mut admin).await?;
    if let Some((pg, true)) = local {
        pg.stop()?;
    }
    result
}

async fn run(url: &str, statements: &AtomicUsize) -> anyhow::Result<()> {
    let pool = PgPoolOptions::new().max_connections(10).connect(url).await?;
    MIGRATOR.run(&pool).await?;
    let leptos_options = LeptosOptions::builder().output_name("mystoryflow").site_root("target/site").build();
    let app = router::build(
        AppState {
            leptos_options,
            db: Db::new(pool.clone()),
            storage: mystoryflow::server::media::Storage::in_memory(),
            staging_dir: std::env::temp_dir().join("msf-bench-uploads"),
            transcription_enabled: false,
            email_sends: true,
            public_url: "http://localhost:3000".into(),
            signer: mystoryflow::server::notify::Signer::new([1; 32]),
            client_ip_header: None,
            quota: mystoryflow::server::limits::Quota::from_env(),
            printer: mystoryflow::server::orders::Printer::manual(Default::default()),
            inbound_secret: None,
            replies_by_email: false,
        },
        false,
    );

    let password = "benchmark password";
    let signup = format!("email=bench%40example.com&name=Bench&password={}&next=", password.replace(' ', "+"));
    let response = app
        .clone()
        .oneshot(
            Request::post("/api/signup")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(signup))?,
        )
        .await?;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("sign-up set no cookie: {}", response.status()))?
        .to_owned();

    let seeding = Instant::now();
    sqlx::raw_sql(&format!(
        "WITH owner AS (SELECT id, email FROM users LIMIT 1),
              c AS (INSERT INTO campaigns (user_id, title, storyteller_name, status, started_at)
                    SELECT owner.id, 'Campaign ' || n, 'Storyteller ' || n, 'active', NOW()
                    FROM owner, generate_series(1, {CAMPAIGNS}) AS n RETURNING id, user_id)
         INSERT INTO family_members (campaign_id, user_id, email, role, status)
         SELECT c.id, c.user_id, owner.email, 'owner', 'active' FROM c, owner;
         INSERT INTO stories (campaign_id, title, content, status)
         SELECT (SELECT id FROM campaigns ORDER BY id OFFSET (n % {CAMPAIGNS}) LIMIT 1),
                'Story ' || n, repeat('word ', 200 + n % 300), 'completed'
         FROM generate_series(1, {STORIES}) AS n;
         ANALYZE;"
    ))
    .execute(&pool)
    .await?;
    println!("seeded {CAMPAIGNS} campaigns and {STORIES} stories in {:.1?}", seeding.elapsed());

    let get = || {
        Request::get("/dashboard")
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    for _ in 0..10 {
        app.clone().oneshot(get()).await?;
    }
    let mut times = Vec::with_capacity(REQUESTS);
    let before = statements.load(Ordering::Relaxed);
    for _ in 0..REQUESTS {
        let start = Instant::now();
        let response = app.clone().oneshot(get()).await?;
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        times.push(start.elapsed());
        assert!(body.len() > 1000);
    }
    let per_request = (statements.load(Ordering::Relaxed) - before) as f64 / REQUESTS as f64;
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let mean: Duration = times.iter().sum::<Duration>() / REQUESTS as u32;
    println!("GET /dashboard × {REQUESTS} ({CAMPAIGNS} campaigns, {STORIES} stories):");
    println!(
        "  server time per request: mean {mean:.2?}, p50 {:.2?}, p95 {:.2?}, max {:.2?}",
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    println!("  SQL statements per request: {per_request:.1}");
    pool.close().await;
    Ok(())
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}
