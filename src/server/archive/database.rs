//! The database side of a backup archive: the app's database (DATABASE_URL or the private
//! cluster), pg_dump and pg_restore, row counts, and what a restore needs of the target.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{ensure, Context, Result};
use sqlx::{Connection, PgConnection};

use crate::server::config::Config;
use crate::server::postgres::{client_program, Durability, LocalPostgres};

/// The app's database: DATABASE_URL, or the private cluster under MSF_DATA_DIR (started for
/// the command when no server is running it, and stopped again after).
pub(super) struct Database {
    pub(super) url: String,
    started: Option<LocalPostgres>,
}

impl Database {
    pub(super) async fn open(config: &Config) -> Result<Self> {
        if let Some(url) = &config.database_url {
            return Ok(Database { url: url.clone(), started: None });
        }
        let pg = LocalPostgres::new(&config.data_dir, Durability::from_env())?;
        let started = pg.start()?;
        let url = pg.ensure_app_database("mystoryflow").await;
        let db = Database { url: String::new(), started: started.then_some(pg) };
        match url {
            Ok(url) => Ok(Database { url, ..db }),
            Err(err) => {
                db.close();
                Err(err)
            }
        }
    }

    pub(super) async fn connect(&self) -> Result<PgConnection> {
        PgConnection::connect(&self.url).await.context("connecting to the database")
    }

    pub(super) fn close(self) {
        if let Some(pg) = self.started {
            if let Err(err) = pg.stop() {
                tracing::warn!("{err:#}");
            }
        }
    }
}

/// Rows in every table of every schema but PostgreSQL's own.
pub(super) async fn count_rows(conn: &mut PgConnection) -> Result<BTreeMap<String, i64>> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = BTreeMap::new();
    for (schema, table) in tables {
        let sql = format!("SELECT count(*) FROM {}.{}", quote(&schema), quote(&table));
        let rows: i64 =
            sqlx::query_scalar(&sql).fetch_one(&mut *conn).await.with_context(|| format!("counting {sql}"))?;
        counts.insert(format!("{schema}.{table}"), rows);
    }
    Ok(counts)
}

pub(super) async fn latest_migration(conn: &mut PgConnection) -> Result<i64> {
    let migrated: bool =
        sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL").fetch_one(&mut *conn).await?;
    ensure!(migrated, "this database has never been set up by MyStoryFlow (it has no migrations): nothing to back up");
    Ok(sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await?)
}

/// What the target database holds already, if anything.
pub(super) async fn contents(conn: &mut PgConnection) -> Result<Option<String>> {
    let relations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname <> 'information_schema'
           AND n.nspname NOT LIKE 'pg\\_%'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if relations == 0 {
        return Ok(None);
    }
    let has_users: bool =
        sqlx::query_scalar("SELECT to_regclass('public.users') IS NOT NULL").fetch_one(&mut *conn).await?;
    let people: i64 = match has_users {
        true => sqlx::query_scalar("SELECT count(*) FROM public.users").fetch_one(&mut *conn).await?,
        false => 0,
    };
    Ok(Some(format!("{relations} tables and other objects ({people} people)")))
}

/// Roles are the cluster's, not the dump's: the policies and grants in it name these two, and
/// the app's user must be able to act as them.
pub(super) async fn ensure_roles(conn: &mut PgConnection) -> Result<()> {
    let user: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&mut *conn).await?;
    sqlx::raw_sql(
        "DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
                CREATE ROLE authenticated NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'storyteller') THEN
                CREATE ROLE storyteller NOLOGIN; END IF;
            IF NOT pg_has_role(current_user, 'authenticated', 'MEMBER') THEN
                EXECUTE format('GRANT authenticated TO %I', current_user); END IF;
            IF NOT pg_has_role(current_user, 'storyteller', 'MEMBER') THEN
                EXECUTE format('GRANT storyteller TO %I', current_user); END IF;
        END $$",
    )
    .execute(&mut *conn)
    .await
    .with_context(|| {
        format!(
            "the app's roles: ask the database's administrator to run `CREATE ROLE authenticated NOLOGIN; \
             CREATE ROLE storyteller NOLOGIN; GRANT authenticated, storyteller TO {user};` and try again"
        )
    })?;
    Ok(())
}

/// --force: every schema but PostgreSQL's own goes, and `public` comes back empty.
pub(super) async fn clear(conn: &mut PgConnection) -> Result<()> {
    let schemas: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut sql: String = schemas.iter().map(|s| format!("DROP SCHEMA {} CASCADE;\n", quote(s))).collect();
    sql.push_str(
        "CREATE SCHEMA public;
         GRANT USAGE ON SCHEMA public TO PUBLIC;
         DO $$ BEGIN ALTER SCHEMA public OWNER TO pg_database_owner;
         EXCEPTION WHEN insufficient_privilege THEN NULL; END $$;",
    );
    let mut tx = conn.begin().await?;
    sqlx::raw_sql(&sql).execute(&mut *tx).await.context("emptying the database (--force)")?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn pg_dump(url: &str, snapshot: &str, to: &Path) -> Result<()> {
    let (url, password) = split_password(url);
    let out = File::create(to).with_context(|| format!("creating {}", to.display()))?;
    let mut cmd = tokio::process::Command::new(client_program("pg_dump"));
    cmd.args(["--format=custom", "--snapshot", snapshot, "--dbname", &url])
        .stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(std::process::Stdio::piped());
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    // Not `output()`: it would capture stdout, which is the dump's file.
    let child = cmd.spawn().context("running pg_dump (install the PostgreSQL client programs)")?;
    let output = child.wait_with_output().await?;
    ensure!(output.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    Ok(())
}

/// No owner is restored: the objects become the connecting user's, as if its migrations had
/// made them. One transaction, so a failure leaves the database as it was.
pub(super) fn pg_restore(url: &str, dump: &mut impl Read) -> Result<()> {
    let (url, password) = split_password(url);
    let mut cmd = std::process::Command::new(client_program("pg_restore"));
    cmd.args(["--no-owner", "--single-transaction", "--exit-on-error", "--dbname", &url]);
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("running pg_restore (install the PostgreSQL client programs)")?;
    // Read its messages as they come, so a chatty pg_restore cannot block on a full pipe.
    let mut stderr = child.stderr.take().context("pg_restore's messages")?;
    let messages = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdin = child.stdin.take().context("pg_restore's input")?;
    let fed = io::copy(dump, &mut stdin);
    drop(stdin);
    let status = child.wait()?;
    let messages = messages.join().unwrap_or_default();
    ensure!(status.success(), "pg_restore failed, so the database is as it was: {}", messages.trim());
    fed.context("reading the database dump from the archive")?;
    Ok(())
}

/// libpq takes the URL as it is, but a password in it would show in the process list: it goes
/// in PGPASSWORD instead.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_owned(), None) };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let Some((userinfo, host)) = authority.rsplit_once('@') else { return (url.to_owned(), None) };
    let Some((user, password)) = userinfo.split_once(':') else { return (url.to_owned(), None) };
    (format!("{scheme}://{user}@{host}{tail}"), Some(percent_decode(password)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        let (url, password) = split_password("postgres://app:p%40ss%2Fw@db.example.com:5432/msf?sslmode=require");
        assert_eq!(url, "postgres://app@db.example.com:5432/msf?sslmode=require");
        assert_eq!(password.as_deref(), Some("p@ss/w"));
        let socket = "postgres://postgres@localhost:5432/msf?host=%2Frun";
        assert_eq!(split_password(socket), (socket.to_owned(), None));
    }
}
