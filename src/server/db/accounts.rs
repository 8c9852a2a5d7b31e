//! Accounts: auth.users (credentials) and users (the profile), created together, and the
//! lookups behind logging in.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::{AppError, FieldErrors};
use crate::model::{account::StorageUse, Account, DisplayName, Email, Password, Preferences};
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

    pub fn email(&self) -> &str {
        self.email.as_str()
    }
}

/// Creates auth.users and the users profile in one transaction, usable at once: when the
/// address is proven (`confirmed`, e.g. by an invitation link sent to it) or when no mail can
/// be sent to prove it. Refuses an address that has an account.
pub async fn sign_up(db: &Db, form: SignUp, confirmed: bool) -> Result<AuthUser, AppError> {
    let encrypted_password = hash_password(form.password).await?;
    let mut tx = db.begin().await?;
    let id = insert_account(&mut tx, &form.email, &form.name, &encrypted_password, confirmed)
        .await?
        .ok_or_else(|| AppError::invalid("email", "An account with this email already exists. Try logging in."))?;
    tx.commit().await?;
    Ok(AuthUser::new(id, form.email.as_str().to_owned(), form.name.as_str().to_owned(), encrypted_password))
}

/// A sign-up that proves the address by email and answers the same whether or not it has an
/// account: a new account gets a confirmation link; an unconfirmed one a fresh link that sets
/// the password typed now; a confirmed one a note that it exists. `mail` is false when this
/// address has had its share of sign-up emails: then nothing is sent.
pub async fn sign_up_by_email(db: &Db, form: SignUp, next: &str, public_url: &str, mail: bool) -> Result<(), AppError> {
    use crate::server::account_mail;
    let encrypted_password = hash_password(form.password).await?;
    let mut tx = db.begin().await?;
    let new = insert_account(&mut tx, &form.email, &form.name, &encrypted_password, false).await?;
    let (id, message) = match new {
        Some(id) => {
            let token = insert_token(&mut tx, id, None, next).await?;
            (id, account_mail::confirm(form.email.as_str(), &token, public_url))
        }
        None => {
            let existing = sqlx::query!(
                r#"SELECT a.id, a.email_confirmed_at IS NOT NULL AS "confirmed!", coalesce(u.name, '') AS "name!"
                   FROM auth.users a LEFT JOIN users u ON u.id = a.id WHERE lower(a.email) = lower($1)"#,
                form.email.as_str()
            )
            .fetch_one(&mut *tx)
            .await?;
            if existing.confirmed {
                (existing.id, account_mail::existing(form.email.as_str(), &existing.name, public_url))
            } else {
                let token = insert_token(&mut tx, existing.id, Some(&encrypted_password), next).await?;
                (existing.id, account_mail::confirm(form.email.as_str(), &token, public_url))
            }
        }
    };
    let mut tx = UserTx::act_as(tx, id).await?;
    if mail {
        message.queue(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// auth.users and users for a new address; `None` when the address has an account.
async fn insert_account(
    tx: &mut sqlx::PgConnection,
    email: &Email,
    name: &DisplayName,
    encrypted_password: &str,
    confirmed: bool,
) -> Result<Option<Uuid>, AppError> {
    let Some(id) = sqlx::query_scalar!(
        r#"INSERT INTO auth.users (email, encrypted_password, email_confirmed_at)
           VALUES ($1, $2, CASE WHEN $3 THEN NOW() END)
           ON CONFLICT ((lower(email))) DO NOTHING
           RETURNING id"#,
        email.as_str(),
        encrypted_password,
        confirmed,
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!("INSERT INTO users (id, email, name) VALUES ($1, $2, $3)", id, email.as_str(), name.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(Some(id))
}

/// The stored hash of a token from an emailed link; `None` for text that cannot be one (too
/// long, or characters base64url never has), which is answered like an expired link.
fn emailed_token_hash(token: &str) -> Option<Vec<u8>> {
    let shaped =
        (1..=100).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    shaped.then(|| super::invitations::token_hash(token))
}

/// How long a sign-up link works.
pub const CONFIRM_HOURS: i32 = 48;

/// A new single-use confirmation link's token (only its hash is stored).
async fn insert_token(
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    password_hash: Option<&str>,
    next: &str,
) -> Result<String, AppError> {
    let (token, hash) = super::invitations::new_token();
    sqlx::query!(
        r#"INSERT INTO account_tokens (user_id, purpose, token_hash, password_hash, next, expires_at)
           VALUES ($1, 'confirm_email', $2, $3, $4, NOW() + make_interval(hours => $5))"#,
        user_id,
        hash,
        password_hash,
        next,
        CONFIRM_HOURS,
    )
    .execute(&mut *tx)
    .await?;
    Ok(token)
}

/// Uses a confirmation link: the address is confirmed, the password typed with that sign-up
/// is set, and every other open link for the account dies. Returns the account and where to
/// go next. As the server: nobody is signed in yet.
pub async fn confirm_email(db: &Db, token: &str) -> Result<(Uuid, String), AppError> {
    let expired = || {
        AppError::Conflict(
            "This link has expired or was already used. Log in if you have finished signing up; \
             otherwise sign up again with the same email for a new link."
                .into(),
        )
    };
    let hash = emailed_token_hash(token).ok_or_else(expired)?;
    let mut tx = db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT user_id, password_hash, next FROM account_tokens
           WHERE token_hash = $1 AND purpose = 'confirm_email' AND used_at IS NULL AND expires_at > NOW()
           FOR UPDATE"#,
        hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(expired)?;
    sqlx::query!(
        "UPDATE account_tokens SET used_at = NOW() WHERE user_id = $1 AND purpose = 'confirm_email' AND used_at IS NULL",
        row.user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"UPDATE auth.users SET email_confirmed_at = coalesce(email_confirmed_at, NOW()),
               encrypted_password = coalesce($2, encrypted_password), updated_at = NOW()
           WHERE id = $1"#,
        row.user_id,
        row.password_hash,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((row.user_id, row.next))
}

/// The two emailed ways back in for someone who can't (or doesn't want to) use a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// A link to choose a new password.
    ResetPassword,
    /// A link that signs in once, instead of the password.
    SignIn,
}

impl Recovery {
    fn purpose(self) -> &'static str {
        match self {
            Recovery::ResetPassword => "reset_password",
            Recovery::SignIn => "sign_in",
        }
    }
}

/// How long a reset or sign-in link works.
pub const RECOVERY_MINUTES: i32 = 60;

/// Emails a single-use `kind` link to the account with this address. An address without an
/// account gets nothing, and the caller answers the same either way; `mail` is false when the
/// address has had its share of these emails.
pub async fn send_recovery(
    db: &Db,
    email: &Email,
    kind: Recovery,
    public_url: &str,
    mail: bool,
) -> Result<(), AppError> {
    use crate::server::account_mail;
    let mut tx = db.begin().await?;
    let account = sqlx::query!(
        r#"SELECT a.id, a.email, coalesce(u.name, '') AS "name!"
           FROM auth.users a JOIN users u ON u.id = a.id WHERE lower(a.email) = lower($1)"#,
        email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(account) = account else {
        return Ok(());
    };
    if !mail {
        return Ok(());
    }
    let (token, hash) = super::invitations::new_token();
    sqlx::query!(
        r#"INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at)
           VALUES ($1, $2, $3, NOW() + make_interval(mins => $4))"#,
        account.id,
        kind.purpose(),
        hash,
        RECOVERY_MINUTES,
    )
    .execute(&mut *tx)
    .await?;
    let message = account_mail::recovery(kind, &account.email, &account.name, &token, public_url);
    let mut tx = UserTx::act_as(tx, account.id).await?;
    message.queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses a reset or sign-in link: every open reset and sign-in link of the account dies with
/// it, the address counts as confirmed, and for a reset `new_password_hash` replaces the
/// password (which ends every other session: it is the session's auth hash). Returns the
/// account. As the server: nobody is signed in yet.
pub async fn use_recovery(
    db: &Db,
    token: &str,
    kind: Recovery,
    new_password_hash: Option<&str>,
) -> Result<Uuid, AppError> {
    let expired = || {
        AppError::Conflict(match kind {
            Recovery::ResetPassword => "This link has expired or was already used. Ask for a new one below.".into(),
            Recovery::SignIn => "This sign-in link has expired or was already used. Ask for a new one.".into(),
        })
    };
    let hash = emailed_token_hash(token).ok_or_else(expired)?;
    let mut tx = db.begin().await?;
    let user_id = sqlx::query_scalar!(
        r#"SELECT user_id FROM account_tokens
           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > NOW()
           FOR UPDATE"#,
        hash,
        kind.purpose()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(expired)?;
    sqlx::query!(
        r#"UPDATE account_tokens SET used_at = NOW()
           WHERE user_id = $1 AND purpose IN ('reset_password', 'sign_in') AND used_at IS NULL"#,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    // A password typed before the address was ever proven may be a stranger's (someone who
    // signed up with this address first): a sign-in link that proves it leaves no password.
    sqlx::query!(
        r#"UPDATE auth.users SET email_confirmed_at = coalesce(email_confirmed_at, NOW()),
               encrypted_password = CASE WHEN $2::text IS NOT NULL THEN $2
                                         WHEN email_confirmed_at IS NULL THEN '!unset'
                                         ELSE encrypted_password END,
               updated_at = NOW()
           WHERE id = $1"#,
        user_id,
        new_password_hash,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// The account a login names by its email (already trimmed and lowercased), with its
/// password hash: as the server, since nobody is signed in yet.
pub async fn login_by_email(db: &Db, email: &str) -> Result<Option<AuthUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.email, coalesce(u.name, '') AS "name!", a.encrypted_password AS password_hash
               FROM auth.users a JOIN users u ON u.id = a.id
               WHERE lower(a.email) = $1"#,
        email
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| AuthUser::new(r.id, r.email, r.name, r.password_hash)))
}

/// Refuses what reaches other people (an invitation) until the account's address is
/// confirmed, on a server that sends email (without mail nothing can confirm it).
pub async fn ensure_confirmed(db: &Db, email_sends: bool, user_id: Uuid) -> Result<(), AppError> {
    if !email_sends || email_confirmed(db, user_id).await? {
        return Ok(());
    }
    Err(AppError::Conflict(UNCONFIRMED.into()))
}

pub const UNCONFIRMED: &str = "Please confirm your email address first: open the link we emailed you when you \
                               signed up. Your account page can send it again.";

/// Whether the account's address is proven (as the server: members cannot read auth.users).
pub async fn email_confirmed(db: &Db, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let confirmed = sqlx::query_scalar!(
        r#"SELECT email_confirmed_at IS NOT NULL AS "confirmed!" FROM auth.users WHERE id = $1"#,
        user_id
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(confirmed.unwrap_or(false))
}

/// A fresh confirmation link for a signed-in account whose address is not yet confirmed (it
/// keeps the password). Nothing when it is confirmed, or `mail` is false (the address has
/// had its share of these emails).
pub async fn resend_confirmation(db: &Db, user_id: Uuid, public_url: &str, mail: bool) -> Result<(), AppError> {
    use crate::server::account_mail;
    let mut tx = db.begin().await?;
    let email = sqlx::query_scalar!(
        "SELECT email FROM auth.users WHERE id = $1 AND email_confirmed_at IS NULL FOR UPDATE",
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(email) = email.filter(|_| mail) else {
        return Ok(());
    };
    let token = insert_token(&mut tx, user_id, None, "/account").await?;
    let mut tx = UserTx::act_as(tx, user_id).await?;
    account_mail::confirm(&email, &token, public_url).queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
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

/// The account a session belongs to: as [`login_by_id`], but an account waiting to be
/// deleted has no sessions (logging in again cancels the deletion).
pub async fn session_user(db: &Db, id: Uuid) -> Result<Option<AuthUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.email, coalesce(u.name, '') AS "name!",
                      a.encrypted_password AS password_hash
               FROM auth.users a JOIN users u ON u.id = a.id
               WHERE a.id = $1 AND u.delete_after IS NULL"#,
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
                  preferences, avatar_url
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
        preferences: read_preferences(row.preferences),
        avatar_url: row.avatar_url,
        storage: StorageUse { used_bytes: owned_storage(tx).await?, limit_bytes: storage_limit },
        // auth.users is the server's: the caller fills this in.
        email_confirmed: true,
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

/// Stored choices as the typed struct; anything unreadable falls back to the defaults.
fn read_preferences(stored: Option<serde_json::Value>) -> Preferences {
    stored.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

/// The person's choices: read, changed by `change`, written back whole, under a row lock so
/// two forms saved at once don't undo each other.
pub async fn update_preferences(tx: &mut UserTx, change: impl FnOnce(&mut Preferences)) -> Result<(), AppError> {
    let stored = sqlx::query_scalar!("SELECT preferences FROM users WHERE id = $1 FOR UPDATE", tx.user_id())
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut preferences = read_preferences(stored);
    change(&mut preferences);
    let value = serde_json::to_value(&preferences).map_err(|_| AppError::Internal)?;
    sqlx::query!("UPDATE users SET preferences = $2, updated_at = NOW() WHERE id = $1", tx.user_id(), value)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Sets (or clears) the person's picture; returns the one it replaces.
pub async fn set_avatar(tx: &mut UserTx, url: Option<&str>) -> Result<Option<String>, AppError> {
    let old = sqlx::query_scalar!("SELECT avatar_url FROM users WHERE id = $1 FOR UPDATE", tx.user_id())
        .fetch_optional(tx.conn())
        .await?
        .flatten();
    sqlx::query!("UPDATE users SET avatar_url = $2, updated_at = NOW() WHERE id = $1", tx.user_id(), url)
        .execute(tx.conn())
        .await?;
    Ok(old)
}

/// Someone's picture, if the signed-in person may see them (themselves, or someone they
/// share a campaign with: row-level security decides).
pub async fn avatar_of(tx: &mut UserTx, user_id: Uuid) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar!("SELECT avatar_url FROM users WHERE id = $1", user_id)
        .fetch_optional(tx.conn())
        .await?
        .flatten())
}

pub async fn preferences(tx: &mut UserTx) -> Result<Preferences, AppError> {
    let stored = sqlx::query_scalar!("SELECT preferences FROM users WHERE id = $1", tx.user_id())
        .fetch_optional(tx.conn())
        .await?
        .flatten();
    Ok(read_preferences(stored))
}

pub async fn set_name(tx: &mut UserTx, name: &DisplayName) -> Result<(), AppError> {
    sqlx::query!("UPDATE users SET name = $2, updated_at = NOW() WHERE id = $1", tx.user_id(), name.as_str())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Replaces the password (already checked against the current one). As the server: members
/// cannot touch auth.users. Every session made with the old password ends.
pub async fn set_password(db: &Db, user_id: Uuid, new_hash: &str) -> Result<(), AppError> {
    sqlx::query!("UPDATE auth.users SET encrypted_password = $2, updated_at = NOW() WHERE id = $1", user_id, new_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Asks to move the account to `new_email`: a link to the new address (which must prove
/// itself), and a note to the old one. An address that has an account is refused.
pub async fn request_email_change(db: &Db, user_id: Uuid, new_email: &Email, public_url: &str) -> Result<(), AppError> {
    use crate::server::account_mail;
    let mut tx = db.begin().await?;
    let me = sqlx::query!(
        r#"SELECT a.email, coalesce(u.name, '') AS "name!" FROM auth.users a JOIN users u ON u.id = a.id WHERE a.id = $1"#,
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if me.email.eq_ignore_ascii_case(new_email.as_str()) {
        return Err(AppError::invalid("email", "That is already your email."));
    }
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM auth.users WHERE lower(email) = lower($1)) AS "taken!""#,
        new_email.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    if taken {
        return Err(AppError::invalid("email", "Another account uses that email."));
    }
    let (token, hash) = super::invitations::new_token();
    sqlx::query!(
        r#"INSERT INTO account_tokens (user_id, purpose, token_hash, new_email, expires_at)
           VALUES ($1, 'change_email', $2, $3, NOW() + make_interval(hours => $4))"#,
        user_id,
        hash,
        new_email.as_str(),
        CONFIRM_HOURS,
    )
    .execute(&mut *tx)
    .await?;
    let mut tx = UserTx::act_as(tx, user_id).await?;
    account_mail::confirm_new_email(new_email.as_str(), &me.name, &token, public_url).queue(&mut tx).await?;
    account_mail::email_change_asked(&me.email, &me.name, new_email.as_str(), public_url).queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses the link sent to a new address: the account's email becomes it (sign-in, mail),
/// and every other open change link of the account dies. As the server.
pub async fn confirm_email_change(db: &Db, token: &str) -> Result<Uuid, AppError> {
    let expired = || {
        AppError::Conflict("This link has expired or was already used. Ask for a new one on your account page.".into())
    };
    let hash = emailed_token_hash(token).ok_or_else(expired)?;
    let mut tx = db.begin().await?;
    let row = sqlx::query!(
        r#"SELECT user_id, new_email AS "new_email!" FROM account_tokens
           WHERE token_hash = $1 AND purpose = 'change_email' AND used_at IS NULL AND expires_at > NOW()
           FOR UPDATE"#,
        hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(expired)?;
    sqlx::query!(
        "UPDATE account_tokens SET used_at = NOW() WHERE user_id = $1 AND purpose = 'change_email' AND used_at IS NULL",
        row.user_id
    )
    .execute(&mut *tx)
    .await?;
    let moved = sqlx::query!(
        r#"UPDATE auth.users SET email = $2, email_confirmed_at = NOW(), updated_at = NOW()
           WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM auth.users o WHERE lower(o.email) = lower($2) AND o.id <> $1)"#,
        row.user_id,
        row.new_email
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(AppError::Conflict("Another account uses that email now, so yours was not changed.".into()));
    }
    sqlx::query!("UPDATE users SET email = $2, updated_at = NOW() WHERE id = $1", row.user_id, row.new_email)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.user_id)
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
