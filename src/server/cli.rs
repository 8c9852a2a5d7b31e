//! The server binary's commands: `serve` (the default), `migrate`, `db
//! start|stop|url|backup|restore`, which manage the same private PostgreSQL the server uses,
//! and `backup`/`restore` of one portable archive (server::archive).
mod migrate;
mod replies;
mod users;

use migrate::{migrate, migrate_add, migrate_revert, migrate_status, migration_pool};
use replies::mail_receive;
use users::{set_staff, set_tier};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use leptos::config::{get_configuration, LeptosOptions};
use sqlx::postgres::PgPoolOptions;

use super::config::Config;
use super::db::{sessions::Sessions, Db, MIGRATOR};
use super::mail::{self, Mailer};
use super::media::Storage;
use super::notify::{self, Signer};
use super::postgres::{Durability, LocalPostgres};
use super::{books, router, state::AppState, transcribe};

const USAGE: &str = "usage: mystoryflow [serve]
       mystoryflow migrate [run]                         (apply pending migrations on DATABASE_URL)
       mystoryflow migrate status                        (each migration: applied or pending)
       mystoryflow migrate revert                        (undo the latest applied migration)
       mystoryflow migrate add NAME                      (a new up/down pair in ./migrations)
       mystoryflow db start|stop|url [--data-dir DIR]   (private PostgreSQL for tests)
       mystoryflow db backup [--data-dir DIR]           (a base backup now, server running)
       mystoryflow db restore [--to TIME] [--data-dir DIR]
                                                         (server stopped; TIME in UTC, e.g.
                                                          \"2026-11-27 10:00\"; default: all)
       mystoryflow backup FILE                           (database and media in one archive, to move servers)
       mystoryflow restore FILE [--force]                (an archive into an empty database and media store;
                                                          --force replaces what is there)
       mystoryflow user set-tier EMAIL free|premium|enterprise [--until YYYY-MM-DD]
                                                         (a person's subscription tier, on DATABASE_URL)
       mystoryflow user set-staff EMAIL [--off]          (staff run the order console at /admin/orders)
       mystoryflow mail receive                          (one emailed reply on standard input, as Postfix's
                                                          pipe or a .forward hands it over; exits 0, 67 when
                                                          it answers no question of ours, 75 to retry later)
       mystoryflow render-job ID                         (internal: one book render, in a child)";

pub async fn main() -> ExitCode {
    let config = Config::from_env();
    init_tracing(&config);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["serve"] => serve(config).await,
        ["migrate"] | ["migrate", "run"] => migrate(config).await,
        ["migrate", "status"] => migrate_status(config).await,
        ["migrate", "revert"] => migrate_revert(config).await,
        ["migrate", "add", name] => migrate_add(name).map(|paths| {
            for path in paths {
                println!("{}", path.display());
            }
        }),
        ["db", action, rest @ ..] => db_command(&config, action, rest).await,
        ["backup", file] => super::archive::backup(&config, file.as_ref()).await,
        ["restore", file] => super::archive::restore(&config, file.as_ref(), false).await,
        ["restore", file, "--force"] | ["restore", "--force", file] => {
            super::archive::restore(&config, file.as_ref(), true).await
        }
        ["render-job", id] => render_job(config, id).await,
        ["mail", "receive"] => return mail_receive(config).await,
        ["user", "set-tier", email, tier, rest @ ..] => set_tier(config, email, tier, rest).await,
        ["user", "set-staff", email] => set_staff(config, email, true).await,
        ["user", "set-staff", email, "--off"] => set_staff(config, email, false).await,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("mystoryflow: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<()> {
    super::limits::Tiers::from_env().map_err(anyhow::Error::msg)?;
    let imap = config
        .imap_url
        .as_deref()
        .map(super::replies::imap::ImapSource::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let leptos_options = leptos_options()?;
    let addr: SocketAddr = leptos_options.site_addr;
    let site = PathBuf::from(&*leptos_options.site_root);
    // A debug server may run under `cargo leptos watch`, which can rebuild the bundle without
    // restarting it: it serves the files themselves, and drops copies an older run left.
    let optimised = !cfg!(debug_assertions);
    tokio::task::spawn_blocking(move || match super::assets::precompress_or_clear(&site, optimised) {
        Ok(written) if written > 0 => tracing::info!(written, "gzipped the browser bundle"),
        Ok(_) => {}
        Err(err) => {
            tracing::warn!(error = %err, site = %site.display(), "could not gzip the browser bundle; serving it as it is")
        }
    });

    let (database_url, local) = match &config.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let pg = LocalPostgres::new(&config.data_dir, Durability::from_env())?;
            let started = pg.start()?;
            let url = pg.ensure_app_database("mystoryflow").await?;
            (url, Some((pg, started)))
        }
    };

    let (stop_supervising, stopping) = tokio::sync::watch::channel(false);
    let supervisor = match &local {
        Some((pg, true)) => Some(tokio::spawn(supervise(pg.clone(), stopping))),
        _ => None,
    };
    let nightly = match &local {
        Some((pg, true)) if pg.backup_dir().is_some() => {
            let media = config.s3.is_none().then(|| config.data_dir.join("media"));
            Some(tokio::spawn(super::backup::nightly(pg.clone(), media)))
        }
        _ => None,
    };
    let served = async {
        // Start-up, not app data: the pool is made and migrated here, then every query goes
        // through `Db` (server::db); the session store keeps its own handle on the pool.
        let pool = super::db::pool_options(config.database_max_connections)
            .connect(&database_url)
            .await
            .context("connecting to the database")?;
        MIGRATOR.run(&pool).await.context("running database migrations")?;
        let db = Db::new(pool.clone());
        tokio::spawn(delete_expired(Sessions::new(db.clone()), db.clone()));

        let storage = match &config.s3 {
            Some(s3) => Storage::s3(s3)?,
            None => Storage::local(&config.data_dir.join("media"))?,
        };
        let engine = transcribe::from_config(&config.transcriber);
        if let Some(engine) = engine.clone() {
            tokio::spawn(transcribe::run_worker(db.clone(), storage.clone(), engine));
        }
        remove_stale_uploads(&config.data_dir.join("uploads"));
        let outbox = config.data_dir.join("outbox");
        let mailer = Mailer::new(config.smtp_url.as_deref(), &outbox, &config.mail_from)?
            .with_reply_address(config.reply_address.as_deref())?;
        if config.smtp_url.is_none() {
            tracing::warn!(
                "Email is off: SMTP_URL is not set, so no email leaves this server. Invitations and story \
                 emails are written to {} and the family page offers invitation links to copy. To send \
                 real email, set SMTP_URL (e.g. smtp://user:password@mail.example.com:587?tls=required) \
                 and MAIL_FROM, then restart.",
                outbox.display()
            );
        }
        tokio::spawn(mail::run_worker(db.clone(), mailer));
        let signer = Signer::load(config.secret_key.as_deref(), &db, &config.data_dir).await?;
        tokio::spawn(notify::run_digest_worker(db.clone(), signer.clone(), config.public_url.clone()));
        tokio::spawn(super::schedule::run_worker(
            db.clone(),
            signer.clone(),
            config.public_url.clone(),
            config.reply_address.is_some(),
        ));
        let state = AppState {
            leptos_options,
            db,
            storage,
            staging_dir: config.data_dir.join("uploads"),
            transcription_enabled: engine.is_some(),
            email_sends: config.smtp_url.is_some(),
            public_url: config.public_url.clone(),
            signer,
            client_ip_header: config.client_ip_header.clone(),
            quota: super::limits::Quota::from_env(),
            printer: super::orders::Printer::from_env().map_err(anyhow::Error::msg)?,
            inbound_secret: config.inbound_secret.clone(),
            replies_by_email: config.reply_address.is_some(),
        };
        let render_limits = books::isolated::RenderLimits::from_env(database_url.clone());
        tokio::spawn(books::isolated::run_worker(state.clone(), render_limits));
        tokio::spawn(super::export::run_worker(state.clone()));
        tokio::spawn(super::deletion::run_worker(state.db.clone(), state.storage.clone()));
        if let Some(source) = imap {
            tokio::spawn(super::replies::imap::run_watcher(state.clone(), source));
        }
        if state.printer.lulu().is_some() {
            tracing::info!(
                webhook = %format!("{}/webhooks/lulu", state.public_url.trim_end_matches('/')),
                "Lulu prints ordered books: register this webhook address in Lulu's developer portal"
            );
            tokio::spawn(super::orders::fulfil::run_worker(state.clone()));
            tokio::spawn(super::schedule::run_print_poll(state.clone()));
        }
        let app = router::build(state, config.secure_cookies);
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        tracing::info!("MyStoryFlow is listening on http://{addr}");
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving HTTP")?;
        pool.close().await;
        Ok(())
    }
    .await;

    if let Some(nightly) = nightly {
        nightly.abort();
    }
    if let Some(supervisor) = supervisor {
        // A restart it had begun finishes first, so the stop below is the last word.
        let _ = stop_supervising.send(true);
        let _ = supervisor.await;
    }
    if let Some((pg, true)) = local {
        if let Err(err) = pg.stop() {
            tracing::warn!("{err:#}");
        }
    }
    served
}

/// Uploads staged by a server that crashed mid-request; a day-old staging file is no one's.
fn remove_stale_uploads(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The child process of one book render (`books::isolated`): the job its parent claimed,
/// against the parent's database.
async fn render_job(config: Config, id: &str) -> Result<()> {
    let id: i64 = id.parse().context("render-job takes a job id")?;
    let url = std::env::var("MSF_RENDER_DATABASE_URL")
        .ok()
        .or(config.database_url.clone())
        .context("MSF_RENDER_DATABASE_URL names the database of the server that started this render")?;
    let db =
        Db::new(PgPoolOptions::new().max_connections(2).connect(&url).await.context("connecting to the database")?);
    let storage = match &config.s3 {
        Some(s3) => Storage::s3(s3)?,
        None => Storage::local(&config.data_dir.join("media"))?,
    };
    let state = AppState {
        leptos_options: leptos_options()?,
        signer: Signer::load(config.secret_key.as_deref(), &db, &config.data_dir).await?,
        db,
        storage,
        staging_dir: config.data_dir.join("uploads"),
        transcription_enabled: false,
        email_sends: false,
        public_url: config.public_url.clone(),
        client_ip_header: None,
        quota: super::limits::Quota::from_env(),
        printer: super::orders::Printer::from_env().map_err(anyhow::Error::msg)?,
        inbound_secret: None,
        replies_by_email: false,
    };
    books::isolated::run_child(&state, id).await
}

async fn db_command(config: &Config, action: &str, rest: &[&str]) -> Result<()> {
    let (mut root, mut to) = (config.data_dir.clone(), None);
    for pair in rest.chunks(2) {
        match pair {
            ["--data-dir", dir] => root = PathBuf::from(dir),
            ["--to", time] if action == "restore" => to = Some(super::backup::parse_time(time)?),
            _ => anyhow::bail!("{USAGE}"),
        }
    }
    let pg = LocalPostgres::new(&root, Durability::from_env())?;
    // Media is in the data folder unless it is in S3 (S3 keeps its own versions).
    let media = config.s3.is_none().then(|| root.join("media"));
    match action {
        "backup" => {
            let dir = tokio::task::spawn_blocking(move || super::backup::take(&pg, media.as_deref())).await??;
            println!("{}", dir.display());
        }
        "restore" => super::backup::restore(&pg, to, media.as_deref()).await?,
        "start" => {
            pg.start()?;
            pg.ensure_app_database("mystoryflow").await?;
            println!("{}", pg.admin_url("mystoryflow"));
        }
        "stop" => {
            if pg.is_running() {
                pg.stop()?;
            }
        }
        "url" => println!("{}", pg.admin_url("mystoryflow")),
        _ => anyhow::bail!("{USAGE}"),
    }
    Ok(())
}

/// cargo-leptos passes settings as LEPTOS_* variables; run directly, Cargo.toml has them.
fn leptos_options() -> Result<LeptosOptions> {
    let conf = if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() {
        get_configuration(None)
    } else {
        get_configuration(Some("Cargo.toml"))
    };
    let mut options = conf.context("reading the Leptos configuration")?.leptos_options;
    // Content-named bundle files exactly when the build that made the site wrote their names
    // beside this binary: every start path (cargo leptos, scripts, a bare binary) agrees.
    options.hash_files = super::assets::hash_file(&options).is_some();
    Ok(options)
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The private cluster this server started is this server's to keep running: if it stops
/// (killed, crashed), it is started again, and PostgreSQL's crash recovery replays its
/// write-ahead log, so every committed save is there. The pool reconnects by itself.
async fn supervise(pg: LocalPostgres, mut stopping: tokio::sync::watch::Receiver<bool>) {
    let mut every_second = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = every_second.tick() => {}
            _ = stopping.changed() => return,
        }
        let pg = pg.clone();
        let restarted = tokio::task::spawn_blocking(move || {
            if pg.is_running() {
                return Ok(false);
            }
            tracing::error!("the private PostgreSQL stopped; starting it again");
            pg.start()
        })
        .await;
        match restarted {
            Ok(Ok(true)) => tracing::warn!("the private PostgreSQL is running again"),
            Ok(Ok(false)) => {}
            // Its old processes may still be exiting; the next tick tries again.
            Ok(Err(err)) => tracing::warn!("could not restart the private PostgreSQL yet: {err:#}"),
            Err(err) => tracing::error!(error = %err, "PostgreSQL supervisor"),
        }
    }
}

/// Hourly: expired sessions, finished rate-limit windows, and jobs done a week ago (failed
/// ones after a month).
async fn delete_expired(sessions: Sessions, db: Db) {
    use tower_sessions::session_store::ExpiredDeletion;
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        if let Err(err) = sessions.delete_expired().await {
            tracing::warn!(error = %err, "could not delete expired sessions");
        }
        if let Err(err) = super::db::limits::purge(&db).await {
            tracing::warn!(error = %err, "could not purge old rate-limit counters");
        }
        if let Err(err) = super::db::jobs::purge_finished(&db, 7, 30).await {
            tracing::warn!(error = %err, "could not purge finished jobs");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
