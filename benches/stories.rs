//! Stories and media benchmark; prints figures, asserts nothing.
//!
//!     cargo bench --features ssr --bench stories                 # 1,000,000 stories
//!     BENCH_STORIES=100000 cargo bench --features ssr --bench stories --profile dev
//!
//! 1. A 100 MB recording uploaded through the real router, streamed: throughput and the
//!    process's peak memory before and after (it should not grow by the file's size).
//! 2. "Download my data" of that campaign (the 100 MB recording in the ZIP): time and peak
//!    memory (the ZIP is streamed to a file, so it should not grow by the file's size either).
//! 3. Processing a 24-megapixel JPEG: time and peak memory.
//! 4. Full-text search over BENCH_STORIES generated stories: p50/p95 of the search query.
//!
//! BENCH_ONLY=upload|export|photo|search runs one part (export uploads first).
//!
//! Uses DATABASE_URL when set (a superuser URL), else the private cluster under .data/bench.
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use http::{header, Request};
use leptos::config::LeptosOptions;
use mystoryflow::server::{
    db::search::{search, SearchFilters},
    db::{Db, MIGRATOR},
    media::{photo::process_photo, Storage},
    postgres::{Durability, LocalPostgres},
    router,
    state::AppState,
};
use sqlx::{postgres::PgPoolOptions, Connection, PgConnection, PgPool};
use tower::ServiceExt;
use uuid::Uuid;

/// Peak resident memory of this process so far, in MB (Linux's VmHWM).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (admin_url, local) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let pg = LocalPostgres::new(std::path::Path::new(".data/bench"), Durability::Disposable)?;
            let started = pg.start()?;
            pg.ensure_app_database("mystoryflow").await?;
            (pg.admin_url("postgres"), Some((pg, started)))
        }
    };
    let database = format!("bench_stories_{}", std::process::id());
    let mut admin = PgConnection::connect(&admin_url).await?;
    sqlx::raw_sql(&format!("CREATE DATABASE {database}")).execute(&mut admin).await?;
    let (base, query) = admin_url.split_once('?').map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    let url = match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    };

    let result = run(&url).await;

    sqlx::raw_sql(&format!("DROP DATABASE {database} WITH (FORCE)")).execute(&mut admin).await?;
    if let Some((pg, true)) = local {
        pg.stop()?;
    }
    result
}

async fn run(url: &str) -> anyhow::Result<()> {
    let pool = PgPoolOptions::new().max_connections(10).connect(url).await?;
    MIGRATOR.run(&pool).await?;
    let scratch = std::env::temp_dir().join(format!("msf-bench-{}", std::process::id()));
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("mystoryflow").site_root("target/site").build(),
        db: Db::new(pool.clone()),
        storage: Storage::local(&scratch.join("media"))?,
        staging_dir: scratch.join("uploads"),
        transcription_enabled: false,
        // As an install without SMTP: signing up logs in at once (no emailed link to follow).
        email_sends: false,
        public_url: "http://localhost:3000".into(),
        signer: mystoryflow::server::notify::Signer::new([1; 32]),
        client_ip_header: None,
        quota: mystoryflow::server::limits::Quota::from_env(),
        printer: mystoryflow::server::orders::Printer::manual(Default::default()),
        inbound_secret: None,
        replies_by_email: false,
    };
    let app = router::build(state.clone(), false);

    let (cookie, campaign, story) = seed_user(&app, &pool).await?;
    // BENCH_ONLY=upload|photo|search runs one part.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "upload" || only == "export" {
        upload(&app, &cookie, campaign, story).await?;
    }
    if only.is_empty() || only == "export" {
        export(&state, &pool, campaign).await?;
    }
    if only.is_empty() || only == "photo" {
        photo()?;
    }
    if only.is_empty() || only == "search" {
        search_bench(&pool, campaign).await?;
    }
    std::fs::remove_dir_all(scratch).ok();
    Ok(())
}

async fn seed_user(app: &axum::Router, pool: &PgPool) -> anyhow::Result<(String, Uuid, Uuid)> {
    let body = "email=bench%40example.com&name=Bench&password=a+long+enough+password&next=";
    let reply = app
        .clone()
        .oneshot(
            Request::post("/api/signup")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(body))?,
        )
        .await?;
    let cookie = reply
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users").fetch_one(pool).await?;
    let campaign: Uuid = sqlx::query_scalar(
        "INSERT INTO campaigns (user_id, title, status) VALUES ($1, 'Bench', 'active') RETURNING id",
    )
    .bind(user)
    .fetch_one(pool)
    .await?;
    sqlx::query("INSERT INTO family_members (campaign_id, user_id, email, role, status) VALUES ($1, $2, 'bench@example.com', 'owner', 'active')")
        .bind(campaign)
        .bind(user)
        .execute(pool)
        .await?;
    let story: Uuid = sqlx::query_scalar(
        "INSERT INTO stories (campaign_id, title, created_by) VALUES ($1, 'Upload', $2) RETURNING id",
    )
    .bind(campaign)
    .bind(user)
    .fetch_one(pool)
    .await?;
    Ok((cookie, campaign, story))
}

/// A 100 MB WAV (silence), generated chunk by chunk as the request body streams.
async fn upload(app: &axum::Router, cookie: &str, campaign: Uuid, story: Uuid) -> anyhow::Result<()> {
    const DATA: u32 = 100 * 1024 * 1024;
    let boundary = "bench-boundary";
    let mut head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"long.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
    )
    .into_bytes();
    let mut wav = Vec::new();
    wav.extend(b"RIFF");
    wav.extend((36 + DATA).to_le_bytes());
    wav.extend(b"WAVEfmt ");
    wav.extend(16u32.to_le_bytes());
    wav.extend(1u16.to_le_bytes()); // PCM
    wav.extend(1u16.to_le_bytes()); // mono
    wav.extend(48_000u32.to_le_bytes());
    wav.extend(96_000u32.to_le_bytes());
    wav.extend(2u16.to_le_bytes());
    wav.extend(16u16.to_le_bytes());
    wav.extend(b"data");
    wav.extend(DATA.to_le_bytes());
    head.extend(wav);
    let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
    let chunk = Bytes::from(vec![0u8; 64 * 1024]);
    let chunks: Vec<Bytes> = std::iter::once(Bytes::from(head))
        .chain(std::iter::repeat_n(chunk, (DATA / (64 * 1024)) as usize))
        .chain(std::iter::once(Bytes::from(tail)))
        .collect();
    // Fed through a small channel, as a socket delivers it: the server gets the body in
    // pieces and never more than a few at once (an always-ready in-memory stream would let
    // the multipart parser read everything in one go).
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        for c in chunks {
            if sender.send(Ok(c)).await.is_err() {
                break;
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::unfold(receiver, |mut r| async move {
        r.recv().await.map(|item| (item, r))
    }));
    let before = peak_mb();
    let started = Instant::now();
    let reply = app
        .clone()
        .oneshot(
            Request::post(format!("/media/campaigns/{campaign}/stories/{story}/audio"))
                .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, cookie)
                .body(body)?,
        )
        .await?;
    let status = reply.status();
    let elapsed = started.elapsed();
    let text = http_body_util::BodyExt::collect(reply.into_body()).await?.to_bytes();
    println!("upload: 100 MB recording → {status} {}", String::from_utf8_lossy(&text));
    println!(
        "upload: {:.1} s, {:.0} MB/s; peak memory {:.0} MB before, {:.0} MB after",
        elapsed.as_secs_f64(),
        100.0 / elapsed.as_secs_f64(),
        before,
        peak_mb()
    );
    Ok(())
}

/// The campaign's owner downloads their data: the job writes the ZIP to a file and stores it.
async fn export(state: &AppState, pool: &PgPool, campaign: Uuid) -> anyhow::Result<()> {
    let owner: Uuid =
        sqlx::query_scalar("SELECT user_id FROM campaigns WHERE id = $1").bind(campaign).fetch_one(pool).await?;
    mystoryflow::server::db::exports::request(&state.db, owner).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let before = peak_mb();
    let started = Instant::now();
    mystoryflow::server::export::run_once(state).await?;
    let size: i64 = sqlx::query_scalar("SELECT size_bytes FROM data_exports WHERE user_id = $1")
        .bind(owner)
        .fetch_one(pool)
        .await?;
    println!(
        "export: {:.0} MB ZIP in {:.1} s; peak memory {:.0} MB before, {:.0} MB after",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        before,
        peak_mb()
    );
    Ok(())
}

fn photo() -> anyhow::Result<()> {
    let (w, h) = (6000u32, 4000u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * 7 + y * 13) % 251) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img)?;
    drop(img);
    let before = peak_mb();
    let started = Instant::now();
    let processed = process_photo(&jpeg).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "photo: 24 MP JPEG ({:.1} MB) → display {} KB + thumbnail {} KB in {:.2} s; peak memory {:.0} MB before, {:.0} MB after",
        jpeg.len() as f64 / 1e6,
        processed.display.len() / 1024,
        processed.thumbnail.len() / 1024,
        started.elapsed().as_secs_f64(),
        before,
        peak_mb()
    );
    Ok(())
}

async fn search_bench(pool: &PgPool, campaign: Uuid) -> anyhow::Result<()> {
    let n: i64 = std::env::var("BENCH_STORIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let started = Instant::now();
    // Text from a 2,000-word vocabulary with a Zipf-like spread, so some words are common
    // and most are rare, as in real writing.
    sqlx::query(
        r#"INSERT INTO stories (campaign_id, title, content, created_by)
           SELECT $1, 'Story ' || g,
                  (SELECT string_agg('w' || floor(power(random(), 3) * 2000)::int, ' ')
                   FROM generate_series(1, 120) WHERE g > 0),
                  (SELECT user_id FROM campaigns WHERE id = $1)
           FROM generate_series(1, $2) AS g"#,
    )
    .bind(campaign)
    .bind(n)
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE stories").execute(pool).await?;
    println!("search: generated {n} stories in {:.0} s", started.elapsed().as_secs_f64());

    let user: Uuid =
        sqlx::query_scalar("SELECT user_id FROM campaigns WHERE id = $1").bind(campaign).fetch_one(pool).await?;
    let db = Db::new(pool.clone());
    for (label, q) in
        [("rare word", "w1999"), ("common word", "w1"), ("two words", "w500 w900"), ("phrase", "\"w3 w4\"")]
    {
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..30 {
            let mut tx = db.begin_as(user).await?;
            let started = Instant::now();
            let page =
                search(&mut tx, q, &SearchFilters::default(), None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            times.push(started.elapsed());
            hits = page.hits.len();
            tx.commit().await?;
        }
        times.sort();
        println!(
            "search: {label:<12} ({q}) p50 {:>7.1} ms  p95 {:>7.1} ms  ({hits} hits on the first page)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3
        );
    }
    Ok(())
}
