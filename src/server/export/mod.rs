//! "Download my data" (GDPR art. 20): a background job that gathers everything a person may
//! take with them into one ZIP: data.json, the recordings, photos and latest book PDFs under
//! readable names, a README.txt and an index.html that shows and plays it all offline.
//!
//! The ZIP is written to a file in the staging folder as it goes (one chunk of one media file
//! in memory at a time, so a 5 GB export keeps memory flat), then stored in parts like any
//! upload and offered for seven days.
mod layout;
mod offline;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::StreamExt;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::server::db::{exports, jobs};
use crate::server::jobs::Job;
use crate::server::keys;
use crate::server::mail::{html_body, OutgoingMail};
use crate::server::state::AppState;

pub use exports::JOB_KIND;
pub use layout::{Layout, Planned};

/// Runs queued exports, and removes the files of expired ones, until the server stops.
pub async fn run_worker(state: AppState) {
    let mut swept = Instant::now() - Duration::from_secs(3600);
    loop {
        if swept.elapsed() > Duration::from_secs(600) {
            if let Err(err) = remove_expired(&state).await {
                tracing::error!(error = %err, "removing expired exports");
            }
            swept = Instant::now();
        }
        match run_once(&state).await {
            Ok(true) => continue,
            Ok(false) => tokio::time::sleep(Duration::from_secs(2)).await,
            Err(err) => {
                tracing::error!(error = ?err, "export worker");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Deletes the files of exports past their seven days; the row stays, marked expired.
pub async fn remove_expired(state: &AppState) -> Result<usize> {
    let expired = exports::expired(&state.db).await?;
    for (id, key) in &expired {
        state.storage.delete(std::slice::from_ref(key)).await;
        exports::mark_expired(&state.db, *id).await?;
    }
    Ok(expired.len())
}

/// Builds one queued export, if there is one; returns whether there was.
pub async fn run_once(state: &AppState) -> Result<bool> {
    let Some(job) = jobs::claim(&state.db, &[JOB_KIND.to_owned()]).await? else {
        return Ok(false);
    };
    let Some(export_id) = job.payload["export_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
        jobs::fail(&state.db, &Job { attempts: job.max_attempts, ..job.clone() }, "no export_id").await?;
        return Ok(true);
    };
    let Some(user_id) = exports::start(&state.db, export_id).await? else {
        jobs::complete(&state.db, job.id).await?;
        return Ok(true);
    };
    match build(state, &job, export_id, user_id).await {
        Ok(()) => jobs::complete(&state.db, job.id).await?,
        Err(err) => {
            tracing::error!(error = ?err, %export_id, "export failed");
            if job.attempts >= job.max_attempts {
                let message = "We couldn't make your download this time. Please try again; nothing was changed.";
                exports::fail(&state.db, export_id, message).await?;
                jobs::complete(&state.db, job.id).await?;
            } else {
                jobs::fail(&state.db, &job, &format!("{err:#}")).await?;
            }
        }
    }
    Ok(true)
}

async fn build(state: &AppState, job: &Job, export_id: Uuid, user_id: Uuid) -> Result<()> {
    // One read-only snapshot as the person, so row-level security decides what goes in.
    let mut tx = state.db.begin_as(user_id).await?;
    let layout = Layout::gather(&mut tx).await?;
    tx.commit().await?;

    std::fs::create_dir_all(&state.staging_dir).context("creating the staging folder")?;
    let path = staging_file(&state.staging_dir, export_id);
    let written = {
        let (state, job_id, path) = (state.clone(), job.id, path.clone());
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || write_zip(&state, &handle, job_id, export_id, &layout, &path)).await?
    };
    let stored = async {
        let size = written?;
        let key = keys::data_export(user_id, export_id);
        state.storage.put_file(&key, &path).await?;
        anyhow::Ok((key, size))
    }
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    let (key, size) = stored?;
    let expires = exports::finish(&state.db, export_id, &key, size as i64).await?;
    ready_mail(state, user_id, expires).await?;
    Ok(())
}

fn zip_time() -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let now = chrono::Utc::now();
    zip::DateTime::from_date_and_time(
        now.year() as u16,
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default()
}

/// Writes the ZIP: the media files first (streamed from storage), then what describes them,
/// so data.json can name any file that was missing from storage.
fn write_zip(
    state: &AppState,
    handle: &tokio::runtime::Handle,
    job_id: i64,
    export_id: Uuid,
    layout: &Layout,
    path: &Path,
) -> Result<u64> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1024 * 1024, file));
    let time = zip_time();
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored).last_modified_time(time);
    let packed = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(time);
    let total = layout.files.len().max(1);
    let mut missing = Vec::new();
    let mut reported = Instant::now();
    for (done, file) in layout.files.iter().enumerate() {
        match handle.block_on(state.storage.get(&file.key, None)) {
            Ok(mut download) => {
                let options = stored.large_file(download.size >= u64::from(u32::MAX));
                zip.start_file(file.path.as_str(), options)?;
                while let Some(chunk) = handle.block_on(download.body.next()) {
                    zip.write_all(&chunk.with_context(|| format!("reading {}", file.key))?)?;
                }
            }
            Err(object_store::Error::NotFound { .. }) => {
                tracing::warn!(key = %file.key, "a file named in the database is not in storage");
                missing.push(file.path.clone());
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", file.key)),
        }
        if reported.elapsed() > Duration::from_secs(1) {
            let percent = (5 + 90 * done / total) as i32;
            handle.block_on(exports::report(&state.db, export_id, percent))?;
            handle.block_on(jobs::heartbeat(&state.db, job_id))?;
            reported = Instant::now();
        }
    }
    let data = layout.data_json(&missing);
    zip.start_file("data.json", packed)?;
    serde_json::to_writer_pretty(&mut zip, &data)?;
    zip.start_file("index.html", packed)?;
    zip.write_all(offline::index_html(&data, &missing).as_bytes())?;
    zip.start_file("README.txt", packed)?;
    zip.write_all(offline::README.as_bytes())?;
    let mut out = zip.finish()?;
    out.flush()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}

async fn ready_mail(state: &AppState, user_id: Uuid, expires: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let Some(user) = crate::server::db::accounts::login_by_id(&state.db, user_id).await? else {
        return Ok(());
    };
    let (email, name) = (user.email, user.name);
    let link = format!("{}/account#your-data", state.public_url.trim_end_matches('/'));
    let greeting = if name.is_empty() { "Hello,".to_owned() } else { format!("Hello {name},") };
    let lines = vec![
        greeting,
        "The copy of your MyStoryFlow data you asked for is ready: every story, recording and photo, with a page \
         that shows them in any browser, even offline."
            .to_owned(),
        format!(
            "Download it from your account page until {}. After that it is removed; you can always make a new one.",
            expires.format("%-d %B %Y")
        ),
    ];
    let mail = OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: email,
        subject: "Your MyStoryFlow download is ready".into(),
        text: format!("{}\n\n{}\n\n{}\n\nYour account: {link}\n", lines[0], lines[1], lines[2]),
        html: html_body(&lines, "Go to your account", &link),
        link: Some(link),
    };
    mail.queue_on(&state.db).await?;
    Ok(())
}

/// Where a finished export's file is written while it is being made.
pub fn staging_file(staging: &Path, export_id: Uuid) -> PathBuf {
    staging.join(format!("export-{export_id}.zip"))
}
