//! The jobs behind deleting an account: the deletion itself, queued for the end of its grace
//! period (a cancelled one finds nothing to do), and the removal of its media files, retried
//! until storage holds none of them.
use std::time::Duration;

use anyhow::{bail, Result};
use uuid::Uuid;

use super::db::deletion::{delete_if_due, DELETE_ACCOUNT_JOB, DELETE_MEDIA_JOB};
use super::db::{jobs, Db};
use super::jobs::Job;
use super::media::Storage;

pub async fn run_worker(db: Db, storage: Storage) {
    loop {
        match run_once(&db, &storage).await {
            Ok(true) => continue,
            Ok(false) => tokio::time::sleep(Duration::from_secs(5)).await,
            Err(err) => {
                tracing::error!(error = ?err, "account deletion worker");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Runs one due deletion job, if there is one; returns whether there was.
pub async fn run_once(db: &Db, storage: &Storage) -> Result<bool> {
    let kinds = [DELETE_ACCOUNT_JOB.to_owned(), DELETE_MEDIA_JOB.to_owned()];
    let Some(job) = jobs::claim(db, &kinds).await? else {
        return Ok(false);
    };
    let result = match job.kind.as_str() {
        DELETE_ACCOUNT_JOB => delete_account(db, &job).await,
        _ => delete_media(storage, &job).await,
    };
    match result {
        Ok(()) => jobs::complete(db, job.id).await?,
        Err(err) => {
            tracing::error!(error = ?err, job = job.id, kind = %job.kind, "will retry");
            jobs::fail(db, &job, &format!("{err:#}")).await?;
        }
    }
    Ok(true)
}

async fn delete_account(db: &Db, job: &Job) -> Result<()> {
    let Some(user_id) = job.payload["user_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
        bail!("no user_id in the payload");
    };
    if delete_if_due(db, user_id).await? {
        tracing::info!(%user_id, "deleted an account at the end of its grace period");
    }
    Ok(())
}

async fn delete_media(storage: &Storage, job: &Job) -> Result<()> {
    let prefixes: Vec<String> = serde_json::from_value(job.payload["prefixes"].clone())?;
    for prefix in &prefixes {
        storage.delete_prefix(prefix).await;
        if storage.any_under(prefix).await? {
            bail!("files under {prefix} could not all be removed yet");
        }
    }
    Ok(())
}
