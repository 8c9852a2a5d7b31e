//! `mystoryflow backup FILE` and `mystoryflow restore FILE [--force]`: the database (a
//! pg_dump) and every media file in one tar archive with a manifest of checksums, to move the
//! app to another server, another database or another media store.
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use tokio::runtime::Handle;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::config::Config;
use super::db::MIGRATOR;
use super::media::Storage;
use database::{clear, contents, count_rows, ensure_roles, latest_migration, pg_dump, pg_restore, Database};

mod database;

/// Bumped when the archive's layout changes; a restore refuses a format it does not know.
const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DUMP: &str = "database.dump";
const MEDIA: &str = "media/";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    created_at: DateTime<Utc>,
    /// The newest migration the database had run: a restore needs a binary that knows it.
    migration: i64,
    /// Rows per table ("schema.table"), counted in the snapshot the dump was taken from.
    tables: BTreeMap<String, i64>,
    files: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    path: String,
    size: u64,
    sha256: String,
}

pub async fn backup(config: &Config, file: &Path) -> Result<()> {
    ensure!(!file.exists(), "{} already exists: name a new file, so no earlier backup is overwritten", file.display());
    let storage = media_store(config)?;
    let db = Database::open(config).await?;
    let partial = suffixed(file, ".partial");
    let written = write_archive(&db, &storage, &partial).await;
    db.close();
    let _ = std::fs::remove_file(suffixed(&partial, ".dump"));
    let named = written.and_then(|manifest| {
        std::fs::rename(&partial, file).with_context(|| format!("naming the archive {}", file.display()))?;
        Ok(manifest)
    });
    let manifest = match named {
        Ok(manifest) => manifest,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    let media: Vec<&Entry> = manifest.files.iter().filter(|e| e.path.starts_with(MEDIA)).collect();
    println!(
        "{}: {} tables ({} rows) and {} media files ({})",
        file.display(),
        manifest.tables.len(),
        manifest.tables.values().sum::<i64>(),
        media.len(),
        human(media.iter().map(|e| e.size).sum()),
    );
    Ok(())
}

async fn write_archive(db: &Database, storage: &Storage, partial: &Path) -> Result<Manifest> {
    let out = File::create(partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut builder = tar::Builder::new(BufWriter::with_capacity(1 << 20, out));
    let mut conn = db.connect().await?;
    // One snapshot for the row counts and the dump, so they agree while a server keeps writing.
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut conn).await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut conn).await?;
    let tables = count_rows(&mut conn).await?;
    let migration = latest_migration(&mut conn).await?;
    let dump = suffixed(partial, ".dump");
    let dumped = pg_dump(&db.url, &snapshot, &dump).await;
    sqlx::raw_sql("COMMIT").execute(&mut conn).await?;
    conn.close().await.ok();
    dumped?;
    // Media after the dump: every file a dumped row names is in the store by then.
    let objects = storage.list().await?;
    let (storage, handle) = (storage.clone(), Handle::current());
    let (mut builder, files) = tokio::task::spawn_blocking(move || -> Result<_> {
        let size = std::fs::metadata(&dump)?.len();
        let mut files = vec![append(&mut builder, DUMP, size, File::open(&dump)?)?];
        std::fs::remove_file(&dump).ok();
        for (key, size) in objects {
            let download = handle.block_on(storage.get(&key, None)).with_context(|| format!("reading {key}"))?;
            let body = StreamReader::new(download.body.map_err(io::Error::other));
            let reader = SyncIoBridge::new_with_handle(body, handle.clone());
            files.push(append(&mut builder, &format!("{MEDIA}{key}"), size, reader)?);
        }
        Ok((builder, files))
    })
    .await??;
    let manifest = Manifest { format: FORMAT, created_at: Utc::now(), migration, tables, files };
    let json = serde_json::to_vec_pretty(&manifest)?;
    append(&mut builder, MANIFEST, json.len() as u64, json.as_slice())?;
    let file = builder.into_inner()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all().context("writing the archive to disk")?;
    Ok(manifest)
}

/// Adds `size` bytes from `reader` as `path`, hashing them on the way.
fn append<W: Write>(tar: &mut tar::Builder<W>, path: &str, size: u64, reader: impl Read) -> Result<Entry> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(Utc::now().timestamp().max(0) as u64);
    let mut hashing = Hashing { inner: reader.take(size), hasher: Sha256::new(), read: 0 };
    tar.append_data(&mut header, path, &mut hashing).with_context(|| format!("archiving {path}"))?;
    ensure!(hashing.read == size, "{path} changed while it was archived: try again");
    Ok(Entry { path: path.to_owned(), size, sha256: hex(&hashing.hasher.finalize()) })
}

pub async fn restore(config: &Config, file: &Path, force: bool) -> Result<()> {
    let manifest = {
        let file = file.to_owned();
        tokio::task::spawn_blocking(move || verify(&file)).await??
    };
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    ensure!(
        manifest.migration <= known,
        "this backup was made by a newer MyStoryFlow (its database is at migration {}, this one knows up to \
         {known}): restore it with that version or a later one",
        manifest.migration
    );
    let storage = media_store(config)?;
    let db = Database::open(config).await?;
    let restored = restore_into(&db, &storage, &config.data_dir.join("uploads"), file, &manifest, force).await;
    db.close();
    restored?;
    let media: Vec<&Entry> = manifest.files.iter().filter(|e| e.path.starts_with(MEDIA)).collect();
    println!(
        "restored {} tables ({} rows) and {} media files ({}) from {}",
        manifest.tables.len(),
        manifest.tables.values().sum::<i64>(),
        media.len(),
        human(media.iter().map(|e| e.size).sum()),
        file.display()
    );
    Ok(())
}

async fn restore_into(
    db: &Database,
    storage: &Storage,
    staging: &Path,
    file: &Path,
    manifest: &Manifest,
    force: bool,
) -> Result<()> {
    let mut conn = db.connect().await?;
    let found = contents(&mut conn).await?;
    let existing = storage.list().await?;
    if !force {
        let mut there = Vec::new();
        if let Some(found) = &found {
            there.push(format!("the database has {found}"));
        }
        if !existing.is_empty() {
            there.push(format!("the media store has {} files", existing.len()));
        }
        ensure!(
            there.is_empty(),
            "nothing was restored, because {}. Restore into an empty database and media store, or pass \
             --force to replace everything in them with the backup",
            there.join(" and ")
        );
    }
    ensure_roles(&mut conn).await?;
    if found.is_some() {
        clear(&mut conn).await?;
    }
    conn.close().await.ok();

    std::fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;
    let (url, storage2, handle) = (db.url.clone(), storage.clone(), Handle::current());
    let (file, staging, expected) = (file.to_owned(), staging.to_owned(), manifest.files.clone());
    tokio::task::spawn_blocking(move || put_back(&file, &url, &storage2, &handle, &staging, &expected)).await??;
    let kept: BTreeSet<&str> = manifest.files.iter().filter_map(|e| e.path.strip_prefix(MEDIA)).collect();
    let unwanted: Vec<String> = existing.into_iter().map(|(k, _)| k).filter(|k| !kept.contains(k.as_str())).collect();
    storage.delete(&unwanted).await;

    let mut conn = db.connect().await?;
    let counts = count_rows(&mut conn).await?;
    conn.close().await.ok();
    let wrong: Vec<String> = manifest
        .tables
        .iter()
        .filter(|(table, rows)| counts.get(*table) != Some(rows))
        .map(|(table, rows)| format!("{table}: {rows} rows in the backup, {:?} restored", counts.get(table)))
        .collect();
    ensure!(wrong.is_empty(), "the restored database differs from the backup: {}", wrong.join("; "));
    Ok(())
}

/// The second pass over a verified archive: the dump into pg_restore, each media file
/// through a staging file into the store (checked again, in case the file changed since).
fn put_back(
    file: &Path,
    url: &str,
    storage: &Storage,
    handle: &Handle,
    staging: &Path,
    expected: &[Entry],
) -> Result<()> {
    let expected: BTreeMap<&str, &Entry> = expected.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut archive = tar::Archive::new(BufReader::new(File::open(file)?));
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry_path(&entry)?;
        if path == DUMP {
            pg_restore(url, &mut entry)?;
        } else if let Some(key) = path.strip_prefix(MEDIA) {
            let temp = staging.join(format!("restore-{}", uuid::Uuid::new_v4()));
            let copied = (|| -> Result<Entry> {
                let mut hashing = Hashing { inner: &mut entry, hasher: Sha256::new(), read: 0 };
                io::copy(&mut hashing, &mut BufWriter::new(File::create(&temp)?))?;
                let sha256 = hex(&hashing.hasher.finalize());
                Ok(Entry { path: path.clone(), size: hashing.read, sha256 })
            })();
            let stored = copied.and_then(|got| {
                ensure!(expected.get(path.as_str()) == Some(&&got), "{path} changed since it was checked");
                handle.block_on(storage.put_file(key, &temp))
            });
            let _ = std::fs::remove_file(&temp);
            stored?;
        }
    }
    Ok(())
}

/// Reads the whole archive once and checks every file against the manifest, before anything
/// is changed.
fn verify(file: &Path) -> Result<Manifest> {
    let opened = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let mut archive = tar::Archive::new(BufReader::new(opened));
    let mut seen = BTreeMap::new();
    let mut manifest = None;
    let unreadable = || format!("{} is not a readable MyStoryFlow backup (a tar archive)", file.display());
    for entry in archive.entries().with_context(unreadable)? {
        let mut entry = entry.with_context(unreadable)?;
        let path = entry_path(&entry)?;
        if path == MANIFEST {
            let mut text = String::new();
            entry.read_to_string(&mut text).with_context(unreadable)?;
            manifest = Some(serde_json::from_str::<Manifest>(&text).with_context(unreadable)?);
        } else {
            let mut hashing = Hashing { inner: &mut entry, hasher: Sha256::new(), read: 0 };
            io::copy(&mut hashing, &mut io::sink()).with_context(unreadable)?;
            seen.insert(path, (hashing.read, hex(&hashing.hasher.finalize())));
        }
    }
    let manifest =
        manifest.with_context(|| format!("{} has no manifest: it is cut short, or not a backup", file.display()))?;
    ensure!(manifest.format == FORMAT, "this backup's format ({}) is not one this version reads", manifest.format);
    let mut damaged = Vec::new();
    for entry in &manifest.files {
        match seen.remove(&entry.path) {
            Some((size, sha)) if size == entry.size && sha == entry.sha256 => {}
            Some(_) => damaged.push(format!("{} does not match its checksum", entry.path)),
            None => damaged.push(format!("{} is missing", entry.path)),
        }
    }
    damaged.extend(seen.into_keys().map(|path| format!("{path} is not in the manifest")));
    if !manifest.files.iter().any(|e| e.path == DUMP) {
        damaged.push(format!("{DUMP} is not in the manifest"));
    }
    if !damaged.is_empty() {
        let more = damaged.len().saturating_sub(5);
        damaged.truncate(5);
        let more = if more > 0 { format!(" (and {more} more)") } else { String::new() };
        bail!("{} is damaged, so nothing was restored: {}{more}", file.display(), damaged.join("; "));
    }
    Ok(manifest)
}

/// A regular file's path, refused when it could point outside the media store.
fn entry_path<R: Read>(entry: &tar::Entry<R>) -> Result<String> {
    let path = String::from_utf8(entry.path_bytes().into_owned()).context("a file name in the archive is not UTF-8")?;
    let safe = entry.header().entry_type().is_file()
        && !path.starts_with('/')
        && path.split('/').all(|part| !matches!(part, "" | "." | ".."));
    ensure!(safe, "the archive holds {path:?}, which no MyStoryFlow backup has");
    Ok(path)
}

fn media_store(config: &Config) -> Result<Storage> {
    match &config.s3 {
        Some(s3) => Storage::s3(s3),
        None => Storage::local(&config.data_dir.join("media")),
    }
}

struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}
