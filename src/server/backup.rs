//! Backups of the private PostgreSQL and the local media folder, under
//! `MSF_DATA_DIR/backups/`: a base backup every night (`pg_basebackup`), every WAL segment
//! archived as it fills (or each minute, see `postgres::write_settings`), and new media files
//! copied beside them. `mystoryflow db restore --to TIME` rebuilds the database as it was at
//! that moment (PostgreSQL's point-in-time recovery) and puts back missing media files.
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{Connection, PgConnection};

use super::postgres::{quote_setting, run, LocalPostgres, RESTORE_FILE};

const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// How many nightly base backups are kept (MSF_BACKUPS_KEPT, default 7); archived WAL older
/// than the oldest kept one goes with it.
pub fn kept() -> usize {
    std::env::var("MSF_BACKUPS_KEPT").ok().and_then(|v| v.trim().parse().ok()).filter(|&n| n >= 1).unwrap_or(7)
}

fn folders(pg: &LocalPostgres) -> Result<PathBuf> {
    pg.backup_dir().context("this cluster is disposable (MSF_PG_DISPOSABLE): it keeps no backups")
}

/// The base backups on disk, oldest first.
pub fn base_backups(pg: &LocalPostgres) -> Result<Vec<(DateTime<Utc>, PathBuf)>> {
    let base = folders(pg)?.join("base");
    let mut found: Vec<_> = std::fs::read_dir(&base)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let at = NaiveDateTime::parse_from_str(&name, STAMP).ok()?.and_utc();
            entry.path().join("base.tar.gz").exists().then_some((at, entry.path()))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Takes a base backup of the running cluster and copies new media files, then keeps only
/// the newest [`kept`] backups. Blocking: run it off the async threads.
pub fn take(pg: &LocalPostgres, media: Option<&Path>) -> Result<PathBuf> {
    let backups = folders(pg)?;
    let base = backups.join("base");
    pg.make_owned_dir(&base)?;
    // The server's nightly backup and `mystoryflow db backup` may start in the same second:
    // one at a time, each in a folder of its own (a failed one removes its folder).
    let lock = std::fs::File::create(backups.join("backup.lock")).context("opening the backups' lock file")?;
    lock.lock().context("waiting for another base backup to finish")?;
    let dir = loop {
        let dir = base.join(Utc::now().format(STAMP).to_string());
        if !dir.exists() {
            break dir;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut basebackup = pg.tool("pg_basebackup");
    basebackup
        .arg("-h")
        .arg(pg.socket_dir())
        .args(["-p", "5432", "-U", "postgres", "-D"])
        .arg(&dir)
        // WAL streamed beside the copy (pg_wal.tar.gz): fetched at the end instead, a segment
        // the server recycled meanwhile fails the whole backup.
        .args(["-F", "tar", "-z", "-X", "stream", "-c", "fast"]);
    if let Err(err) = run(&mut basebackup) {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(err.context("taking a base backup"));
    }
    if let Some(media) = media {
        copy_missing(media, &backups.join("media")).context("copying media files into the backup")?;
    }
    prune(pg, kept())?;
    tracing::info!(backup = %dir.display(), "base backup taken");
    Ok(dir)
}

fn prune(pg: &LocalPostgres, keep: usize) -> Result<()> {
    let all = base_backups(pg)?;
    let drop = all.len().saturating_sub(keep);
    for (_, dir) in &all[..drop] {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let Some((oldest, _)) = all.get(drop) else { return Ok(()) };
    // WAL archived well before the oldest kept backup began is needed by no restore.
    let cutoff = std::time::SystemTime::from(*oldest) - Duration::from_secs(3600);
    for entry in std::fs::read_dir(folders(pg)?.join("wal")).into_iter().flatten().flatten() {
        let history = entry.file_name().to_string_lossy().contains(".history");
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|at| at < cutoff);
        if old && !history {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Copies every file under `from` that `to` lacks (media files never change once stored).
fn copy_missing(from: &Path, to: &Path) -> Result<usize> {
    let mut copied = 0;
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(from.join(&relative)) else { continue };
        for entry in entries.flatten() {
            let relative = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(relative);
            } else if !to.join(&relative).exists() {
                let target = to.join(&relative);
                std::fs::create_dir_all(target.parent().unwrap_or(to))?;
                let partial = target.with_extension("copying");
                std::fs::copy(entry.path(), &partial)?;
                std::fs::rename(&partial, &target)?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}

/// Rebuilds the stopped cluster from the newest base backup taken before `to` (or the newest
/// of all), replaying archived WAL up to `to` (or to the end), and puts back media files the
/// media folder lacks. The current cluster folder is kept aside, never deleted.
pub async fn restore(pg: &LocalPostgres, to: Option<DateTime<Utc>>, media: Option<&Path>) -> Result<()> {
    if pg.is_running() {
        bail!("the database is running: stop MyStoryFlow first (the restore replaces its database)");
    }
    let backups = folders(pg)?;
    let (taken, base) =
        base_backups(pg)?.into_iter().rfind(|(at, _)| to.is_none_or(|to| *at <= to)).with_context(|| match to {
            Some(to) => format!("no base backup was taken before {to} (in {})", backups.display()),
            None => format!("there is no base backup in {}", backups.display()),
        })?;
    let data = pg.data_dir().to_path_buf();
    if data.exists() {
        let aside = data.with_file_name(format!("postgres.before-restore-{}", Utc::now().format(STAMP)));
        std::fs::rename(&data, &aside).with_context(|| format!("moving {} aside", data.display()))?;
        println!("The database folder as it was is kept in {}", aside.display());
    }
    pg.make_owned_dir(&data)?;
    std::fs::set_permissions(&data, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    run(pg.as_owner("tar").arg("-xzf").arg(base.join("base.tar.gz")).arg("-C").arg(&data))
        .context("unpacking the base backup")?;
    let streamed_wal = base.join("pg_wal.tar.gz");
    if streamed_wal.exists() {
        run(pg.as_owner("tar").arg("-xzf").arg(&streamed_wal).arg("-C").arg(data.join("pg_wal")))
            .context("unpacking the base backup's WAL")?;
    }
    let wal = quote_setting(&backups.join("wal"))?;
    let mut recovery = format!(
        "# A point-in-time restore (base backup of {taken}); removed when it has finished.\n\
         restore_command = 'test -f \"{wal}/%f.gz\" && gunzip -c \"{wal}/%f.gz\" > \"%p\"'\n\
         recovery_target_action = 'promote'\n"
    );
    if let Some(to) = to {
        recovery.push_str(&format!("recovery_target_time = '{}'\n", to.format("%Y-%m-%d %H:%M:%S%.6f+00")));
    }
    std::fs::write(data.join(RESTORE_FILE), recovery)?;
    std::fs::write(data.join("recovery.signal"), "")?;
    pg.give_to_postgres(&data)?;
    pg.start().context("starting PostgreSQL to replay the archived WAL")?;

    let mut conn = PgConnection::connect(&pg.admin_url("postgres")).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        let recovering: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&mut conn).await?;
        if !recovering {
            break;
        }
        if std::time::Instant::now() > deadline {
            bail!("the restore is still replaying WAL after 10 minutes; see {}", data.join("server.log").display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    conn.close().await.ok();
    std::fs::remove_file(data.join(RESTORE_FILE)).ok();
    // Left as found: stopped, for the server to start.
    pg.stop()?;
    if let Some(media) = media {
        let restored = copy_missing(&backups.join("media"), media).context("putting back media files")?;
        println!("Put back {restored} media files");
    }
    println!(
        "Restored the database from the base backup of {taken}{}",
        to.map(|t| format!(" to {t}")).unwrap_or_default()
    );
    Ok(())
}

/// `2026-11-27 10:00`, `2026-11-27 10:00:30` (UTC) or RFC 3339.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .map(|at| at.and_utc())
        .with_context(|| format!("{text:?} is not a time like \"2026-11-27 10:00\" (UTC)"))
}

/// While the server runs its own cluster: new media files copied every ten minutes, and a
/// base backup when the newest is a day old.
pub async fn nightly(pg: LocalPostgres, media: Option<PathBuf>) {
    let mut every_ten_minutes = tokio::time::interval(Duration::from_secs(600));
    loop {
        every_ten_minutes.tick().await;
        if let (Some(media), Ok(backups)) = (media.clone(), folders(&pg)) {
            let copied = tokio::task::spawn_blocking(move || copy_missing(&media, &backups.join("media"))).await;
            if let Ok(Err(err)) = copied {
                tracing::error!("copying media into the backup failed: {err:#}");
            }
        }
        let newest = base_backups(&pg).ok().and_then(|all| all.last().map(|(at, _)| *at));
        if newest.is_some_and(|at| Utc::now() - at < chrono::Duration::hours(24)) {
            continue;
        }
        let (pg, media) = (pg.clone(), media.clone());
        match tokio::task::spawn_blocking(move || take(&pg, media.as_deref())).await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!("nightly backup failed: {err:#}"),
            Err(err) => tracing::error!(error = %err, "nightly backup"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_times_are_read_as_utc() {
        let at = parse_time("2026-11-27 10:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-27T10:00:00+00:00");
        assert_eq!(parse_time("2026-11-27T11:00:00+01:00").unwrap(), at);
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn missing_media_files_are_copied_and_present_ones_left() {
        let root = std::env::temp_dir().join(format!("msf-copy-{}", uuid::Uuid::new_v4()));
        let (from, to) = (root.join("from"), root.join("to"));
        std::fs::create_dir_all(from.join("campaigns/a")).unwrap();
        std::fs::write(from.join("campaigns/a/one.jpg"), b"one").unwrap();
        std::fs::write(from.join("two.webm"), b"two").unwrap();
        assert_eq!(copy_missing(&from, &to).unwrap(), 2);
        assert_eq!(std::fs::read(to.join("campaigns/a/one.jpg")).unwrap(), b"one");
        assert_eq!(copy_missing(&from, &to).unwrap(), 0, "nothing copied twice");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
