//! Each book render in a child process (`mystoryflow render-job <id>`, this same binary)
//! with a memory limit (`prlimit --as`), a time limit, and cancelled when a newer render
//! replaces it: typesetting a huge or hostile book can then fail alone while the server
//! keeps answering. One render at a time per server (this loop), as before.
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::render::{job_target, JOB_KIND};
use crate::server::db::renders::Standing;
use crate::server::db::{jobs, renders as db};
use crate::server::jobs::Job;
use crate::server::keys::render_prefix;
use crate::server::state::AppState;

/// Limits for one render (MSF_RENDER_MEMORY_MB, 2048; MSF_RENDER_SECONDS, 900).
#[derive(Clone, Debug)]
pub struct RenderLimits {
    pub memory_bytes: u64,
    pub time: Duration,
    /// The database the child connects to: the one this server uses.
    pub database_url: String,
}

impl RenderLimits {
    pub fn from_env(database_url: String) -> Self {
        let number = |name: &str, default: u64| {
            std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|v| *v > 0).unwrap_or(default)
        };
        RenderLimits {
            memory_bytes: number("MSF_RENDER_MEMORY_MB", 2048) * 1024 * 1024,
            time: Duration::from_secs(number("MSF_RENDER_SECONDS", 900)),
            database_url,
        }
    }
}

pub async fn run_worker(state: AppState, limits: RenderLimits) {
    loop {
        match run_once(&state, &limits).await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(err) => {
                tracing::error!("book render worker: {err:#}");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

enum Ended {
    Finished(std::process::ExitStatus),
    TookTooLong,
    Replaced,
}

/// Claims one render and runs it in a child; returns whether there was one.
pub async fn run_once(state: &AppState, limits: &RenderLimits) -> Result<bool> {
    let Some(job) = jobs::claim(&state.db, &[JOB_KIND.to_owned()]).await? else {
        return Ok(false);
    };
    let exe = std::env::current_exe().context("finding this program to run a render")?;
    let mut child = tokio::process::Command::new("prlimit")
        .arg(format!("--as={}", limits.memory_bytes))
        .arg("--")
        .arg(&exe)
        .args(["render-job", &job.id.to_string()])
        .env("MSF_RENDER_DATABASE_URL", &limits.database_url)
        .kill_on_drop(true)
        .spawn()
        .context("starting a render process (prlimit, from util-linux)")?;
    let started = Instant::now();
    let ended = loop {
        tokio::select! {
            status = child.wait() => break Ended::Finished(status?),
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
        if started.elapsed() > limits.time {
            break Ended::TookTooLong;
        }
        if let Some((book_id, render_job)) = job_target(&job) {
            // A published render is the child's own finished work: it is only exiting, and
            // must not be stopped (and its files removed) as if it had been replaced.
            let standing = db::render_standing(&state.db, book_id, render_job).await?;
            if !matches!(standing, Some((_, Standing::Wanted | Standing::Published))) {
                break Ended::Replaced;
            }
        }
    };
    let message = match ended {
        Ended::Finished(status) if status.success() => return Ok(true),
        Ended::Finished(status) => {
            tracing::error!(job = job.id, %status, "a book render process failed (out of memory or crashed)");
            "We couldn't make the PDF: the book needed more memory than this server allows for one book. \
             Try leaving out some photos, or ask whoever runs this server to raise MSF_RENDER_MEMORY_MB."
        }
        Ended::TookTooLong => {
            tracing::error!(job = job.id, "a book render took too long and was stopped");
            "We couldn't make the PDF: it took longer than this server allows. Try again later, or leave out some stories."
        }
        Ended::Replaced => "",
    };
    let _ = child.kill().await;
    fail(state, &job, message).await?;
    Ok(true)
}

/// Records a render the child could not finish: its files go, the book says why (unless a
/// newer render replaced it), and the job counts the attempt without retrying: the same
/// book would fail the same way. The files of a render the book already shows (the child
/// published it, then crashed or was stopped on its way out) stay.
pub async fn fail(state: &AppState, job: &Job, message: &str) -> Result<()> {
    jobs::fail(
        &state.db,
        &Job { attempts: job.max_attempts, ..job.clone() },
        if message.is_empty() { "replaced" } else { message },
    )
    .await?;
    let Some((book_id, render_job)) = job_target(job) else { return Ok(()) };
    match db::render_standing(&state.db, book_id, render_job).await? {
        Some((_, Standing::Published)) => return Ok(()),
        Some((campaign_id, _)) => state.storage.delete_prefix(&render_prefix(campaign_id, book_id, render_job)).await,
        None => {}
    }
    if !message.is_empty() {
        db::fail_render(&state.db, book_id, render_job, message).await?;
    }
    Ok(())
}

/// The child's side: runs the job its parent claimed, with its own connection to the
/// parent's database.
pub async fn run_child(state: &AppState, job_id: i64) -> Result<()> {
    let job = jobs::get(&state.db, job_id).await?.context("the render job is gone")?;
    super::render::run_job(state, &job).await
}
