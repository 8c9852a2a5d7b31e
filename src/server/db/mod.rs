//! Database access. Every query of user data runs inside [`UserTx`], a transaction acting
//! as Postgres role `authenticated` for one user, so row-level security always applies.
//!
//! Every SQL statement of the app is in these modules: `Db::pool` and `UserTx::conn` are
//! private to them, so the rest of the server hands a `&Db` or a `&mut UserTx` to a query
//! here. (Start-up is the exception: `server::cli` makes the pool and migrates,
//! `server::postgres` bootstraps the private cluster.)
pub mod access;
pub mod accounts;
pub mod bench;
pub mod books;
pub mod campaigns;
pub mod comments;
pub mod deletion;
pub mod exports;
pub mod family;
pub mod health;
pub mod invitations;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod notifications;
pub mod orders;
pub mod photos;
pub mod questions;
pub mod renders;
pub mod replies;
pub mod schedules;
pub mod search;
pub mod secrets;
pub mod sessions;
pub mod stats;
pub mod stories;
pub mod storyteller;
pub mod transcriptions;

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{migrate::Migrator, PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The server's pool (`cli::serve`).
pub fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        // While the database is down a request fails within 2 s with a calm 503 (and the
        // editor keeps the text and retries), instead of hanging for 30.
        .acquire_timeout(Duration::from_secs(1))
        // sqlx pings a connection when it is handed back (a broken one never returns to the
        // pool) and, by default, again before handing it out: two round trips per query
        // under load. Only one that has sat idle is pinged again: the database may have
        // restarted meanwhile.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// How long a pooled connection may sit unused before it is checked again before use.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    pub fn new(pool: PgPool) -> Self {
        Db { pool }
    }

    /// The server's own role: for authentication, the job queue and health checks only.
    pub(in crate::server::db) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Starts a transaction that sees exactly what `user_id` may see.
    pub async fn begin_as(&self, user_id: Uuid) -> Result<UserTx, sqlx::Error> {
        // Every member's request starts here: one round trip instead of two.
        let tx = self.begin_with(begin_as_sql("BEGIN", user_id)).await?;
        Ok(UserTx { tx, user_id, read_only: false })
    }

    /// Like [`Db::begin_as`], for a page's data: PostgreSQL refuses any write in it, so it
    /// needs no COMMIT. [`UserTx::commit`] drops it instead, and sqlx sends the ROLLBACK with
    /// the check it makes of every connection going back to the pool: one round trip fewer.
    pub async fn begin_reading_as(&self, user_id: Uuid) -> Result<UserTx, sqlx::Error> {
        let tx = self.begin_with(begin_as_sql("BEGIN READ ONLY", user_id)).await?;
        Ok(UserTx { tx, user_id, read_only: true })
    }

    /// A transaction of the server's own role.
    pub(in crate::server::db) async fn begin(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin_with("BEGIN".into()).await
    }

    /// sqlx's `begin`, in a task of its own so that it always finishes. Dropped between
    /// sending BEGIN and reading the answer (a request whose client went away), sqlx returns
    /// the connection to the pool still inside the transaction (its rollback guard covers
    /// only a transaction it has counted), and the next user of the connection would run
    /// in it: as the member, with a `begin_as`. A finished one rolls back when dropped.
    async fn begin_with(&self, statement: String) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let pool = self.pool.clone();
        tokio::spawn(async move { pool.begin_with(statement).await }).await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }
}

/// `BEGIN` and [`act_as`]'s settings as one simple query (which takes no parameters: a
/// `Uuid` prints as hex digits and dashes only, and the timeout is a constant).
fn begin_as_sql(begin: &str, user_id: Uuid) -> String {
    format!(
        "{begin}; SELECT set_config('role', 'authenticated', true), \
         set_config('request.jwt.claim.sub', '{user_id}', true), \
         set_config('statement_timeout', '{USER_STATEMENT_TIMEOUT}', true)"
    )
}

/// A transaction running as role `authenticated` with `auth.uid()` = the user.
pub struct UserTx {
    tx: Transaction<'static, Postgres>,
    user_id: Uuid,
    read_only: bool,
}

impl UserTx {
    /// Switches an open transaction to the user; both settings end with the transaction.
    pub async fn act_as(mut tx: Transaction<'static, Postgres>, user_id: Uuid) -> Result<Self, sqlx::Error> {
        act_as(&mut tx, user_id).await?;
        Ok(UserTx { tx, user_id, read_only: false })
    }

    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    pub(in crate::server::db) fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// What the transaction acts as: (role, `auth.uid()`, statement timeout).
    pub async fn settings(&mut self) -> Result<(String, Option<Uuid>, String), sqlx::Error> {
        let row = sqlx::query!(
            r#"SELECT current_user AS "role!", auth.uid() AS uid,
                      current_setting('statement_timeout') AS "timeout!""#
        )
        .fetch_one(&mut *self.tx)
        .await?;
        Ok((row.role, row.uid, row.timeout))
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        if self.read_only {
            // Nothing to keep: the ROLLBACK goes with the pool's check of the connection.
            drop(self.tx);
            return Ok(());
        }
        self.tx.commit().await
    }
}

/// How long one statement of a member's request may run: a costly search then fails alone
/// instead of holding a pool connection for minutes.
pub const USER_STATEMENT_TIMEOUT: &str = "10s";

/// Makes the rest of `tx` act as `user_id`: role `authenticated`, `auth.uid()` = the user,
/// and [`USER_STATEMENT_TIMEOUT`], all ending with the transaction. Every [`UserTx`] starts with it; tests that run their
/// own statements under row-level security (`tests/integration/rls.rs`) call it on a
/// transaction of their own, since a `UserTx` runs only the queries here.
pub async fn act_as(tx: &mut Transaction<'_, Postgres>, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"SELECT set_config('role', 'authenticated', true) AS "role!",
                      set_config('request.jwt.claim.sub', $1, true) AS "sub!",
                      set_config('statement_timeout', $2, true) AS "timeout!""#,
        user_id.to_string(),
        USER_STATEMENT_TIMEOUT,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(())
}
