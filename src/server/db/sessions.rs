//! Sessions: tower-sessions' store, kept in `tower_sessions.session` with the signed-in
//! user's id in a column of its own (migration 36), so that loading a signed-in request's
//! session reads its user in the same statement instead of a second one.
//!
//! The session itself is encoded as tower-sessions-sqlx-store encoded it (MessagePack of the
//! whole record), so sessions from before keep working.
use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result, SessionStore};
use uuid::Uuid;

use super::Db;
use crate::server::auth::{self, AuthUser};

/// Where axum-login keeps who is signed in (its default key, so that sessions made before
/// this store still name their user).
pub const AUTH_DATA_KEY: &str = "axum-login.data";

#[derive(Clone, Debug)]
pub struct Sessions {
    db: Db,
}

impl Sessions {
    pub fn new(db: Db) -> Self {
        Sessions { db }
    }
}

/// The signed-in user's id in a session, as axum-login wrote it.
fn user_of(record: &Record) -> Option<Uuid> {
    record.data.get(AUTH_DATA_KEY)?.get("user_id")?.as_str()?.parse().ok()
}

fn encode(record: &Record) -> Result<Vec<u8>> {
    rmp_serde::to_vec(record).map_err(|e| Error::Encode(e.to_string()))
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // An id is 128 random bits: a clash is all but impossible, yet it must never take
        // over someone else's session.
        loop {
            let inserted = sqlx::query!(
                "INSERT INTO tower_sessions.session (id, data, expiry_date, user_id)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                record.id.to_string(),
                encode(record)?,
                record.expiry_date,
                user_of(record),
            )
            .execute(self.db.pool())
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        sqlx::query!(
            "INSERT INTO tower_sessions.session (id, data, expiry_date, user_id)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE
             SET data = excluded.data, expiry_date = excluded.expiry_date, user_id = excluded.user_id",
            record.id.to_string(),
            encode(record)?,
            record.expiry_date,
            user_of(record),
        )
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        // The user as `accounts::session_user` reads them: none once the account is deleted.
        let Some(row) = sqlx::query!(
            r#"SELECT s.data, s.user_id, a.id AS "account?", a.email AS "email?",
                      coalesce(u.name, '') AS "name?", a.encrypted_password AS "password_hash?"
               FROM tower_sessions.session s
               LEFT JOIN (auth.users a JOIN users u ON u.id = a.id AND u.delete_after IS NULL)
                 ON a.id = s.user_id
               WHERE s.id = $1 AND s.expiry_date > $2"#,
            id.to_string(),
            OffsetDateTime::now_utc(),
        )
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?
        else {
            return Ok(None);
        };
        if let Some(user_id) = row.user_id {
            let user = match (row.account, row.email, row.name, row.password_hash) {
                (Some(id), Some(email), Some(name), Some(hash)) => Some(AuthUser::new(id, email, name, hash)),
                _ => None,
            };
            auth::read_with_session(user_id, user);
        }
        Ok(Some(rmp_serde::from_slice(&row.data).map_err(|e| Error::Decode(e.to_string()))?))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query!("DELETE FROM tower_sessions.session WHERE id = $1", id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> Result<()> {
        sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn record(data: serde_json::Value) -> Record {
        let data: HashMap<String, serde_json::Value> = serde_json::from_value(data).unwrap();
        Record { id: Id::default(), data, expiry_date: OffsetDateTime::now_utc() }
    }

    #[test]
    fn the_user_is_found_where_axum_login_keeps_it() {
        let id = Uuid::new_v4();
        let signed_in = record(serde_json::json!({ AUTH_DATA_KEY: { "user_id": id, "auth_hash": [1, 2] } }));
        assert_eq!(user_of(&signed_in), Some(id));
        let signed_out = record(serde_json::json!({ AUTH_DATA_KEY: { "user_id": null, "auth_hash": null } }));
        assert_eq!(user_of(&signed_out), None);
        assert_eq!(user_of(&record(serde_json::json!({ "flash": "Saved" }))), None);
    }
}
