//! A private PostgreSQL server for when DATABASE_URL is unset: found among the machine's
//! binaries, initialised under the data folder, reached over a Unix socket only (no port
//! to collide with), and stopped again by whoever started it.
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sqlx::{Connection, PgConnection};

/// The role and database the app uses inside its private cluster.
pub const APP_ROLE: &str = "mystoryflow";
const PORT: u16 = 5432;
// sun_path holds 108 bytes; leave room for "/.s.PGSQL.5432".
const MAX_SOCKET_DIR_LEN: usize = 90;

/// Whether the cluster holds a family's data or a test run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// PostgreSQL's defaults (fsync, full_page_writes): survives a crash or power loss.
    Safe,
    /// Test data only (MSF_PG_DISPOSABLE=1): fsync off for speed, and the cluster may live
    /// under the temporary folder when the postgres user cannot reach the data folder.
    Disposable,
}

impl Durability {
    pub fn from_env() -> Self {
        match std::env::var("MSF_PG_DISPOSABLE").as_deref() {
            Ok("1" | "true" | "yes") => Durability::Disposable,
            _ => Durability::Safe,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LocalPostgres {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    run_as_postgres: bool,
    durability: Durability,
}

impl LocalPostgres {
    /// Locates binaries and folders under `root` (e.g. `.data`) without starting anything.
    pub fn new(root: &Path, durability: Durability) -> Result<Self> {
        let bin_dir = find_bin_dir()?;
        let run_as_postgres = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
        let root = std::path::absolute(root).context("resolving the data folder")?;
        std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
        let reachable = !run_as_postgres || postgres_user_can_reach(&root);
        let (data_dir, socket_dir) = place(&root, reachable, durability)?;
        Ok(LocalPostgres { bin_dir, data_dir, socket_dir, run_as_postgres, durability })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Initialises the cluster if needed and starts it unless it already runs.
    /// Returns true when this call started it (and so should stop it).
    pub fn start(&self) -> Result<bool> {
        for dir in [&self.data_dir, &self.socket_dir] {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            if self.run_as_postgres {
                run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir))?;
            }
            std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).ok();
        }
        if !self.data_dir.join("PG_VERSION").exists() {
            tracing::info!(data_dir = %self.data_dir.display(), "initialising a private PostgreSQL cluster");
            let mut initdb = self.command("initdb");
            initdb.arg("-D").arg(&self.data_dir).args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]);
            run(&mut initdb)?;
        }
        if self.is_running() {
            tracing::info!("private PostgreSQL already running; reusing it");
            return Ok(false);
        }
        tracing::info!(socket_dir = %self.socket_dir.display(), "starting private PostgreSQL");
        self.write_settings()?;
        let options = self.server_options();
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(self.data_dir.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        run(&mut pg_ctl)?;
        Ok(true)
    }

    /// Where base backups and archived WAL go (`MSF_DATA_DIR/backups`), for a cluster that
    /// holds a family's data; a disposable one keeps none.
    pub fn backup_dir(&self) -> Option<PathBuf> {
        (self.durability == Durability::Safe).then(|| self.data_dir.with_file_name("backups"))
    }

    /// Our settings, in a file of their own that postgresql.conf includes: every finished WAL
    /// segment is copied to the archive (and at least every minute), which with a base
    /// backup allows point-in-time recovery (`server::backup`).
    fn write_settings(&self) -> Result<()> {
        let conf = self.data_dir.join("postgresql.conf");
        let main = std::fs::read_to_string(&conf).with_context(|| format!("reading {}", conf.display()))?;
        let mut includes = String::new();
        for file in [SETTINGS_FILE, RESTORE_FILE] {
            let line = format!("include_if_exists = '{file}'");
            if !main.contains(&line) {
                includes.push_str(&format!("\n{line}\n"));
            }
        }
        if !includes.is_empty() {
            std::fs::write(&conf, main + &includes).with_context(|| format!("writing {}", conf.display()))?;
        }
        let settings = match self.backup_dir() {
            Some(backups) => {
                let wal = backups.join("wal");
                self.make_owned_dir(&wal)?;
                let wal = quote_setting(&wal)?;
                // Compressed: archive_timeout closes a 16 MB segment each minute that had
                // writes, and a mostly empty one gzips to a few kilobytes.
                format!(
                    "# Written by MyStoryFlow at every start; edits here are lost.\n\
                     archive_mode = on\n\
                     archive_timeout = 60\n\
                     archive_command = 'test ! -f \"{wal}/%f.gz\" && gzip -c \"%p\" > \"{wal}/%f.gz.part\" \
                     && mv \"{wal}/%f.gz.part\" \"{wal}/%f.gz\"'\n"
                )
            }
            None => "# Disposable cluster: no WAL archive.\n".to_owned(),
        };
        let path = self.data_dir.join(SETTINGS_FILE);
        std::fs::write(&path, settings).with_context(|| format!("writing {}", path.display()))?;
        self.give_to_postgres(&path)?;
        self.give_to_postgres(&conf)
    }

    /// Creates `dir` (and its parents) for the postgres user.
    pub(crate) fn make_owned_dir(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        self.give_to_postgres(dir)
    }

    pub(crate) fn give_to_postgres(&self, path: &Path) -> Result<()> {
        if self.run_as_postgres {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(path))?;
        }
        Ok(())
    }

    /// `program` from the PostgreSQL binaries, as the user the cluster belongs to.
    pub(crate) fn tool(&self, program: &str) -> Command {
        self.command(program)
    }

    /// Any program (tar, cp) as the user the cluster belongs to.
    pub(crate) fn as_owner(&self, program: &str) -> Command {
        if self.run_as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--", program]);
            cmd
        } else {
            Command::new(program)
        }
    }

    pub(crate) fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    fn server_options(&self) -> String {
        let mut options =
            format!("-p {PORT} -k {} -c listen_addresses='' -c max_connections=200", self.socket_dir.display());
        if self.durability == Durability::Disposable {
            options.push_str(" -c fsync=off -c full_page_writes=off -c synchronous_commit=off");
        }
        options
    }

    pub fn is_running(&self) -> bool {
        let mut status = self.command("pg_ctl");
        status.arg("-D").arg(&self.data_dir).arg("status");
        status.output().map(|o| o.status.success()).unwrap_or(false)
    }

    pub fn stop(&self) -> Result<()> {
        tracing::info!("stopping private PostgreSQL");
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl.arg("-D").arg(&self.data_dir).args(["-w", "-m", "fast", "stop"]);
        run(&mut pg_ctl)
    }

    pub fn url(&self, user: &str, database: &str) -> String {
        let host: String = form_urlencoded::byte_serialize(self.socket_dir.as_os_str().as_encoded_bytes()).collect();
        format!("postgres://{user}@localhost:{PORT}/{database}?host={host}")
    }

    /// The superuser's URL: what tests use to create a database per test.
    pub fn admin_url(&self, database: &str) -> String {
        self.url("postgres", database)
    }

    /// Creates the app's login role and database (and the `authenticated` and `storyteller`
    /// roles the policies are written for) when missing; returns the app's URL. Its SQL bootstraps the
    /// cluster, as its superuser, before the app's database exists: not app data, so not in
    /// `server::db`.
    pub async fn ensure_app_database(&self, database: &str) -> Result<String> {
        let mut admin = PgConnection::connect(&self.admin_url("postgres"))
            .await
            .context("connecting to the private PostgreSQL as its superuser")?;
        for role in [
            format!("CREATE ROLE {APP_ROLE} LOGIN"),
            "CREATE ROLE authenticated NOLOGIN".to_owned(),
            "CREATE ROLE storyteller NOLOGIN".to_owned(),
        ] {
            let name = role.split_whitespace().nth(2).unwrap_or_default().to_owned();
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(&name)
                .fetch_one(&mut admin)
                .await?;
            if !exists {
                sqlx::raw_sql(&role).execute(&mut admin).await?;
            }
        }
        sqlx::raw_sql(&format!("GRANT authenticated, storyteller TO {APP_ROLE}")).execute(&mut admin).await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(database)
            .fetch_one(&mut admin)
            .await?;
        if !exists {
            if !database.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                bail!("database name {database:?} must be letters, digits and underscores");
            }
            sqlx::raw_sql(&format!("CREATE DATABASE {database} OWNER {APP_ROLE}")).execute(&mut admin).await?;
        }
        admin.close().await.ok();
        Ok(self.url(APP_ROLE, database))
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        if self.run_as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }
}

/// Where the cluster's data and socket go under `root`. Only a socket may move to /tmp
/// (a path too long for a socket address); data moves there only when it is disposable.
fn place(root: &Path, reachable: bool, durability: Durability) -> Result<(PathBuf, PathBuf)> {
    let scratch = std::env::temp_dir().join(format!("mystoryflow-{}", short_hash(root)));
    let socket_dir = if root.join("run").as_os_str().len() > MAX_SOCKET_DIR_LEN || !reachable {
        scratch.join("run")
    } else {
        root.join("run")
    };
    let data_dir = match (reachable, durability) {
        (true, _) => root.join("postgres"),
        (false, Durability::Disposable) => scratch.join("postgres"),
        (false, Durability::Safe) => bail!(
            "PostgreSQL runs as the `postgres` user, which cannot reach {} (a folder above it is \
             private, such as /root). The database must live beside the media, never in a \
             temporary folder, so set MSF_DATA_DIR to a folder it can reach (for example \
             /var/lib/mystoryflow or /srv/mystoryflow), or run as a user other than root.",
            root.display()
        ),
    };
    Ok((data_dir, socket_dir))
}

/// Settings we own, rewritten at every start.
pub(crate) const SETTINGS_FILE: &str = "mystoryflow.conf";
/// Recovery settings for a point-in-time restore; removed once the restore has finished.
pub(crate) const RESTORE_FILE: &str = "mystoryflow-restore.conf";

/// A path inside a single-quoted setting (a quote in it would end the string).
pub(crate) fn quote_setting(path: &Path) -> Result<String> {
    let text = path.to_str().context("the data folder's path must be valid UTF-8")?;
    if text.contains(['\'', '"', '\n']) {
        bail!("the data folder's path may not contain quotes or line breaks: {text}");
    }
    Ok(text.to_owned())
}

pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let output = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !output.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A PostgreSQL client program (pg_dump, pg_restore): the one beside the server binaries the
/// private cluster uses when they are installed, else whichever one PATH finds.
pub(crate) fn client_program(program: &str) -> PathBuf {
    find_bin_dir().map(|dir| dir.join(program)).ok().filter(|p| p.exists()).unwrap_or_else(|| PathBuf::from(program))
}

/// `pg_config --bindir` when it names a server, else the newest /usr/lib/postgresql/*/bin.
fn find_bin_dir() -> Result<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    match candidates.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "no PostgreSQL server binaries found (looked at `pg_config --bindir` and \
             /usr/lib/postgresql/*/bin). Install PostgreSQL or set DATABASE_URL."
        ),
    }
}

fn postgres_user_can_reach(dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn short_hash(path: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut hasher);
    format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_data_never_goes_to_the_temporary_folder() {
        let root = Path::new("/root/checkout/.data");
        let error = place(root, false, Durability::Safe).unwrap_err().to_string();
        assert!(error.contains("MSF_DATA_DIR"), "{error}");
        let (data, _) = place(root, false, Durability::Disposable).unwrap();
        assert!(data.starts_with(std::env::temp_dir()), "test data may: {data:?}");
        let (data, socket) = place(root, true, Durability::Safe).unwrap();
        assert_eq!(
            (data.as_path(), socket.as_path()),
            (Path::new("/root/checkout/.data/postgres"), Path::new("/root/checkout/.data/run"))
        );
        let deep = PathBuf::from("/srv").join("d".repeat(100));
        let (data, socket) = place(&deep, true, Durability::Safe).unwrap();
        assert_eq!(data, deep.join("postgres"), "a long path moves only the socket");
        assert!(socket.starts_with(std::env::temp_dir()));
    }

    #[test]
    fn only_disposable_clusters_turn_fsync_off() {
        let mut pg = LocalPostgres {
            bin_dir: PathBuf::from("/bin"),
            data_dir: PathBuf::from("/d/postgres"),
            socket_dir: PathBuf::from("/d/run"),
            run_as_postgres: false,
            durability: Durability::Safe,
        };
        assert!(!pg.server_options().contains("fsync"), "{}", pg.server_options());
        pg.durability = Durability::Disposable;
        assert!(pg.server_options().contains("fsync=off"));
    }

    #[test]
    fn socket_urls_escape_the_folder() {
        let pg = LocalPostgres {
            bin_dir: PathBuf::from("/bin"),
            data_dir: PathBuf::from("/d/postgres"),
            socket_dir: PathBuf::from("/d/my run"),
            run_as_postgres: false,
            durability: Durability::Safe,
        };
        assert_eq!(
            pg.url("mystoryflow", "mystoryflow"),
            "postgres://mystoryflow@localhost:5432/mystoryflow?host=%2Fd%2Fmy+run"
        );
    }
}
