//! Authentication with axum-login: who a session belongs to, and password checks.
use axum_login::{AuthUser as AxumAuthUser, AuthnBackend, UserId};
use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::db::{accounts, Db};
use crate::error::AppError;
use crate::model::{CurrentUser, Password};

/// A signed-in user as the session knows them.
#[derive(Clone, Serialize, Deserialize)]
pub struct AuthUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    password_hash: String,
}

impl std::fmt::Debug for AuthUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthUser")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

impl AuthUser {
    pub fn new(id: Uuid, email: String, name: String, password_hash: String) -> Self {
        AuthUser { id, email, name, password_hash }
    }

    pub fn to_current_user(&self) -> CurrentUser {
        CurrentUser { id: self.id, email: self.email.clone(), name: self.name.clone() }
    }
}

impl AxumAuthUser for AuthUser {
    type Id = Uuid;

    fn id(&self) -> Uuid {
        self.id
    }

    // Tied to the hash, so changing the password ends every other session.
    fn session_auth_hash(&self) -> &[u8] {
        self.password_hash.as_bytes()
    }
}

#[derive(Clone, Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Refused(#[from] AppError),
}

/// An account whose address is not yet confirmed logs in too: it can use its own campaigns,
/// and what reaches other people (invitations, order emails) waits for the emailed link
/// (see [`accounts::ensure_confirmed`]). Confirming replaces a password typed by anyone
/// else who signed up with the address first, which ends their sessions.
#[derive(Clone, Debug)]
pub struct Backend {
    db: Db,
}

impl Backend {
    pub fn new(db: Db) -> Self {
        Backend { db }
    }
}

// Checked against when the email is unknown, so that costs as much as a wrong password
// and response time does not reveal who has an account.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash("not anyone's password"));

impl AuthnBackend for Backend {
    type User = AuthUser;
    type Credentials = Credentials;
    type Error = AuthError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<AuthUser>, AuthError> {
        let email = creds.email.trim().to_lowercase();
        let found = accounts::login_by_email(&self.db, &email).await?;

        let hash = found.as_ref().map_or(DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let password = creds.password;
        let matches = super::limits::argon2(move || password_auth::verify_password(password, &hash).is_ok()).await?;
        Ok(found.filter(|_| matches))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<AuthUser>, AuthError> {
        if let Some(user) = take_read_with_session(*id) {
            return Ok(user);
        }
        Ok(accounts::session_user(&self.db, *id).await?)
    }
}

tokio::task_local! {
    /// The user a request's session names, read in the same statement as the session
    /// (`db::sessions`), for [`Backend::get_user`] to take instead of reading them again.
    static READ_WITH_SESSION: RefCell<Option<(Uuid, Option<AuthUser>)>>;
}

/// Around the session and login layers: gives each request a place for the user read with
/// its session. Without it (a test calling the backend directly) the user is read alone.
pub async fn user_read_with_session(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    with_user_read_with_session(next.run(request)).await
}

/// Runs `work` with a place for the user read with a session (what each request gets).
pub async fn with_user_read_with_session<F: std::future::Future>(work: F) -> F::Output {
    READ_WITH_SESSION.scope(RefCell::new(None), work).await
}

/// Called by the session store: `user` is what the session's user id `id` finds now (none
/// for a deleted account).
pub(super) fn read_with_session(id: Uuid, user: Option<AuthUser>) {
    let _ = READ_WITH_SESSION.try_with(|slot| *slot.borrow_mut() = Some((id, user)));
}

/// What the session read for `id`, taken (so a later call reads afresh).
fn take_read_with_session(id: Uuid) -> Option<Option<AuthUser>> {
    let (read, user) = READ_WITH_SESSION.try_with(|slot| slot.borrow_mut().take()).ok().flatten()?;
    (read == id).then_some(user)
}

pub type AuthSession = axum_login::AuthSession<Backend>;

/// Whether `password` is this person's current one (argon2, bounded like a login).
pub async fn is_their_password(user: &AuthUser, password: String) -> Result<bool, AppError> {
    let hash = user.password_hash.clone();
    super::limits::argon2(move || password_auth::verify_password(password, &hash).is_ok()).await
}

/// argon2id, off the async threads and bounded (see [`limits::argon2`](super::limits::argon2)).
pub async fn hash_password(password: Password) -> Result<String, AppError> {
    super::limits::argon2(move || password_auth::generate_hash(password.as_str())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_hash() {
        // If it failed to parse, unknown emails would answer faster than wrong passwords.
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        let err = password_auth::verify_password("anything", &DUMMY_HASH).unwrap_err();
        assert!(matches!(err, password_auth::VerifyError::PasswordInvalid));
    }

    #[test]
    fn debug_output_hides_the_password_hash() {
        let user = AuthUser::new(Uuid::nil(), "a@b.c".into(), "A".into(), "$argon2id$secret".into());
        assert!(!format!("{user:?}").contains("secret"));
    }
}
