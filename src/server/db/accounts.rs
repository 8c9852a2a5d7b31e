//! Accounts: auth.users (credentials) and users (the profile), created together, and the
//! lookups behind logging in.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::{AppError, FieldErrors};
use crate::model::{account::StorageUse, Account, DisplayName, Email, Password, StoryEmails};
use crate::server::auth::{hash_password, AuthUser};

/// A sign-up whose every field has been checked.
#[derive(Debug)]
pub struct SignUp {
    email: Email,
    name: DisplayName,
    password: Password,
}

impl SignUp {
    pub fn parse(email: &str, name: &str, password: &str) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let email = Email::parse(email).map_err(|m| errors.insert("email".into(), m)).ok();
        let name = DisplayName::parse(name).map_err(|m| errors.insert("name".into(), m)).ok();
        let password = Password::parse(password).map_err(|m| errors.insert("password".into(), m)).ok();
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => Ok(SignUp { email, name, password }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// Creates auth.users and the users profile in one transaction.
pub async fn sign_up(db: &Db, form: SignUp) -> Result<AuthUser, AppError> {
    let encrypted_password = hash_password(form.password).await?;
    let mut tx = db.pool().begin().await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO auth.users (email, encrypted_password)
           VALUES ($1, $2)
           ON CONFLICT ((lower(email))) DO NOTHING
           RETURNING id"#,
        form.email.as_str(),
        encrypted_password,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("email", "An account with this email already exists. Try logging in."))?;

    let mut tx = UserTx::act_as(tx, id).await?;
    sqlx::query!(
        "INSERT INTO users (id, email, name) VALUES ($1, $2, $3)",
        id,
        form.email.as_str(),
        form.name.as_str(),
    )
    .execute(tx.conn())
    .await?;
    tx.commit().await?;

    Ok(AuthUser::new(id, form.email.as_str().to_owned(), form.name.as_str().to_owned(), encrypted_password))
}

/// The account a login names by its email (already trimmed and lowercased), with its
/// password hash: as the server, since nobody is signed in yet.
pub async fn login_by_email(db: &Db, email: &str) -> Result<Option<AuthUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.email, coalesce(u.name, '') AS "name!",
                      a.encrypted_password AS password_hash
               FROM auth.users a JOIN users u ON u.id = a.id
               WHERE lower(a.email) = $1"#,
        email
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| AuthUser::new(r.id, r.email, r.name, r.password_hash)))
}

/// The account a session belongs to, as the server (the session store only knows the id).
pub async fn login_by_id(db: &Db, id: Uuid) -> Result<Option<AuthUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.email, coalesce(u.name, '') AS "name!",
                      a.encrypted_password AS password_hash
               FROM auth.users a JOIN users u ON u.id = a.id
               WHERE a.id = $1"#,
        id
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| AuthUser::new(r.id, r.email, r.name, r.password_hash)))
}

pub async fn profile(tx: &mut UserTx, storage_limit: i64) -> Result<Account, AppError> {
    let id = tx.user_id();
    let row = sqlx::query!(
        r#"SELECT id, email, coalesce(name, '') AS "name!",
                  created_at AS "created_at!: DateTime<Utc>",
                  coalesce(preferences->>'story_emails', 'every') AS "story_emails!"
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Account {
        id: row.id,
        email: row.email,
        name: row.name,
        created_at: row.created_at,
        story_emails: StoryEmails::parse(&row.story_emails).unwrap_or_default(),
        storage: StorageUse { used_bytes: owned_storage(tx).await?, limit_bytes: storage_limit },
    })
}

/// Bytes of recordings and original photos in the campaigns this person owns.
async fn owned_storage(tx: &mut UserTx) -> Result<i64, AppError> {
    let id = tx.user_id();
    let used = sqlx::query_scalar!(
        r#"SELECT (SELECT coalesce(sum(p.size_bytes), 0) FROM photos p JOIN campaigns c ON c.id = p.campaign_id WHERE c.user_id = $1)::bigint
                + (SELECT coalesce(sum(s.audio_size_bytes), 0) FROM stories s JOIN campaigns c ON c.id = s.campaign_id WHERE c.user_id = $1)::bigint
                AS "used!""#,
        id
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(used)
}

pub async fn set_story_emails(tx: &mut UserTx, choice: StoryEmails) -> Result<(), AppError> {
    sqlx::query!(
        r#"UPDATE users SET preferences = coalesce(preferences, '{}') || jsonb_build_object('story_emails', $2::text),
               updated_at = NOW()
           WHERE id = $1"#,
        tx.user_id(),
        choice.as_str()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// From a signed unsubscribe link: no login, so it runs as the server.
pub async fn unsubscribe(db: &Db, who: &crate::server::notify::Unsubscriber) -> Result<(), AppError> {
    let user = who.user_id();
    sqlx::query!(
        r#"UPDATE users SET preferences = coalesce(preferences, '{}') || '{"story_emails": "off"}', updated_at = NOW()
           WHERE id = $1"#,
        user
    )
    .execute(db.pool())
    .await?;
    Ok(())
}
