//! Signing up, logging in and out, and who is signed in.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{self, Flash};
#[cfg(feature = "ssr")]
use crate::urls;

/// The signed-in person, or `None`: every page asks, so this never answers 401.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<model::CurrentUser>, AppError> {
    use crate::server::request;
    let auth = request::auth_session().await?;
    Ok(auth.user.map(|u| u.to_current_user()))
}

#[server(endpoint = "signup")]
pub async fn signup(
    email: String,
    name: String,
    password: String,
    #[server(default)] next: String,
    /// An invitation token: the new account joins that campaign at once.
    #[server(default)]
    invitation: String,
) -> Result<(), AppError> {
    use crate::model::{family::InvitationState, SafeNext};
    use crate::server::limits::{SIGN_UPS_PER_ADDRESS, SIGN_UP_MAILS_PER_EMAIL};
    use crate::server::{db::accounts, db::invitations, request};

    let typed = vec![("email".to_owned(), email.clone()), ("name".to_owned(), name.clone())];
    let result = async {
        let form = accounts::SignUp::parse(&email, &name, &password)?;
        let state = request::state()?;
        if let Some(ip) = request::client_ip().await {
            SIGN_UPS_PER_ADDRESS.hit(&state.db, &ip.to_string()).await?;
        }
        let token = invitations::InvitationToken::parse(&invitation);
        // An open invitation sent to this very address proves it: the account is ready at once.
        let proven = match &token {
            Some(token) => invitations::invitation(&state.db, token)
                .await
                .is_ok_and(|i| i.state == InvitationState::Open && i.email.eq_ignore_ascii_case(form.email())),
            None => false,
        };
        if state.email_sends && !proven {
            // The same answer whether or not the address has an account: the rest is in the
            // email (a link to finish, or a note that the account exists).
            let after = if invitation.is_empty() {
                SafeNext::parse(&next).as_str().to_owned()
            } else {
                urls::invitation(&invitation)
            };
            let mail = SIGN_UP_MAILS_PER_EMAIL.hit(&state.db, form.email()).await.is_ok();
            accounts::sign_up_by_email(&state.db, form, &after, &state.public_url, mail).await?;
            leptos_axum::redirect(urls::SIGNUP_SENT);
            return Ok(());
        }
        // No mail can prove the address (or the invitation did): usable at once.
        let user = accounts::sign_up(&state.db, form, proven).await?;
        request::log_in(&user).await?;
        tracing::info!(user_id = %user.id, "signed up");
        if invitation.is_empty() {
            leptos_axum::redirect(SafeNext::parse(&next).as_str());
        } else {
            // The account exists either way; a spent link shows its own page.
            let joined = match &token {
                Some(token) => invitations::accept(&state.db, token, user.id).await.ok(),
                None => None,
            };
            match joined {
                Some(campaign) => leptos_axum::redirect(&urls::campaign(campaign)),
                None => leptos_axum::redirect(&urls::invitation(&invitation)),
            }
        }
        Ok(())
    }
    .await;
    let back = if invitation.is_empty() { back_to("/signup", &next) } else { urls::invitation(&invitation) };
    request::respond_to_form("signup", typed, &back, result).await
}

/// The emailed link that finishes a sign-up: confirms the address and logs in.
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::model::SafeNext;
    use crate::server::{db::accounts, request};
    let back = urls::confirm_email(&token);
    let result = async {
        let db = request::state()?.db;
        let (user_id, next) = accounts::confirm_email(&db, &token).await?;
        let user = accounts::login_by_id(&db, user_id).await?.ok_or(AppError::NotFound)?;
        request::log_in(&user).await?;
        tracing::info!(user_id = %user.id, "confirmed an email address");
        leptos_axum::redirect(SafeNext::parse(&next).as_str());
        Ok(())
    }
    .await;
    request::respond_to_form("confirm_email", Vec::new(), &back, result).await
}

/// "Forgot your password?" (`purpose` = `reset_password`) or "Email me a link to sign in"
/// (`sign_in`): emails a single-use link. The same answer whether or not the address has an
/// account.
#[server(endpoint = "email_me_a_link")]
pub async fn email_me_a_link(email: String, purpose: String) -> Result<(), AppError> {
    use crate::server::db::accounts::Recovery;
    let typed = vec![("email".to_owned(), email.clone())];
    let (kind, back) = match purpose.as_str() {
        "sign_in" => (Recovery::SignIn, urls::EMAIL_SIGN_IN),
        _ => (Recovery::ResetPassword, urls::FORGOT_PASSWORD),
    };
    let result = send_recovery(&email, kind).await;
    crate::server::request::respond_to_form("email_me_a_link", typed, back, result).await
}

#[cfg(feature = "ssr")]
async fn send_recovery(email: &str, kind: crate::server::db::accounts::Recovery) -> Result<(), AppError> {
    use crate::model::Email;
    use crate::server::limits::{RECOVERY_MAILS_PER_EMAIL, RECOVERY_PER_ADDRESS};
    use crate::server::{db::accounts, request};
    let email = Email::parse(email).map_err(|message| AppError::invalid("email", message))?;
    let state = request::state()?;
    if let Some(ip) = request::client_ip().await {
        RECOVERY_PER_ADDRESS.hit(&state.db, &ip.to_string()).await?;
    }
    let mail = RECOVERY_MAILS_PER_EMAIL.hit(&state.db, email.as_str()).await.is_ok();
    accounts::send_recovery(&state.db, &email, kind, &state.public_url, mail).await?;
    leptos_axum::redirect(urls::RECOVERY_SENT);
    Ok(())
}

/// The emailed reset link's form: a new password, then signed in (every other session of
/// the account ends, as the password changed).
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::model::Password;
    use crate::server::auth::hash_password;
    use crate::server::db::accounts::{self, Recovery};
    use crate::server::request;
    let back = urls::reset_password(&token);
    let result = async {
        let password = Password::parse(&password).map_err(|message| AppError::invalid("password", message))?;
        let db = request::state()?.db;
        let hash = hash_password(password).await?;
        let user_id = accounts::use_recovery(&db, &token, Recovery::ResetPassword, Some(&hash)).await?;
        let user = accounts::login_by_id(&db, user_id).await?.ok_or(AppError::NotFound)?;
        request::log_in(&user).await?;
        tracing::info!(user_id = %user.id, "reset a password");
        leptos_axum::redirect("/dashboard");
        Ok(())
    }
    .await;
    request::respond_to_form("reset_password", Vec::new(), &back, result).await
}

/// The emailed sign-in link's one button.
#[server(endpoint = "sign_in_with_link")]
pub async fn sign_in_with_link(token: String) -> Result<(), AppError> {
    use crate::server::db::accounts::{self, Recovery};
    use crate::server::request;
    let back = urls::sign_in_link(&token);
    let result = async {
        let db = request::state()?.db;
        let user_id = accounts::use_recovery(&db, &token, Recovery::SignIn, None).await?;
        let user = accounts::login_by_id(&db, user_id).await?.ok_or(AppError::NotFound)?;
        request::log_in(&user).await?;
        request::mark_signed_in_by_link().await?;
        tracing::info!(user_id = %user.id, "signed in with an emailed link");
        leptos_axum::redirect("/dashboard");
        Ok(())
    }
    .await;
    request::respond_to_form("sign_in_with_link", Vec::new(), &back, result).await
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String, #[server(default)] next: String) -> Result<(), AppError> {
    use crate::model::SafeNext;
    use crate::server::auth::{AuthError, Credentials};
    use crate::server::limits::{WRONG_PASSWORD_PER_ACCOUNT, WRONG_PASSWORD_PER_ADDRESS};
    use crate::server::request;

    let typed = vec![("email".to_owned(), email.clone())];
    let result = async {
        let db = request::state()?.db;
        let ip = request::client_ip().await.map(|ip| ip.to_string());
        WRONG_PASSWORD_PER_ACCOUNT.check(&db, &email).await?;
        if let Some(ip) = &ip {
            WRONG_PASSWORD_PER_ADDRESS.check(&db, ip).await?;
        }
        let auth = request::auth_session().await?;
        let user =
            auth.authenticate(Credentials { email: email.clone(), password }).await.map_err(|err| match err {
                axum_login::Error::Backend(AuthError::Refused(refused)) => refused,
                err => {
                    tracing::error!(error = %err, "authentication failed to run");
                    AppError::Internal
                }
            })?;
        let Some(user) = user else {
            WRONG_PASSWORD_PER_ACCOUNT.record(&db, &email).await?;
            if let Some(ip) = &ip {
                WRONG_PASSWORD_PER_ADDRESS.record(&db, ip).await?;
            }
            return Err(AppError::InvalidCredentials);
        };
        request::log_in(&user).await?;
        leptos_axum::redirect(SafeNext::parse(&next).as_str());
        Ok(())
    }
    .await;
    request::respond_to_form("login", typed, &back_to("/login", &next), result).await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::request;
    let result = async {
        let mut auth = request::auth_session().await?;
        auth.logout().await.map_err(|err| {
            tracing::error!(error = %err, "logout failed");
            AppError::Internal
        })?;
        leptos_axum::redirect("/");
        Ok(())
    }
    .await;
    request::respond_to_form("logout", Vec::new(), "/", result).await
}

/// The error left by a JavaScript-off post of `form` (of any form when empty), shown once
/// by the page it returns to.
#[server(endpoint = "flash")]
pub async fn take_flash(#[server(default)] form: String) -> Result<Option<Flash>, AppError> {
    use crate::server::request;
    Ok(request::flash().filter(|f| form.is_empty() || f.form == form))
}

#[cfg(feature = "ssr")]
fn back_to(page: &str, next: &str) -> String {
    use crate::model::SafeNext;
    let next = SafeNext::parse(next);
    if next.as_str() == SafeNext::DEFAULT {
        page.to_owned()
    } else {
        let encoded: String = form_urlencoded::byte_serialize(next.as_str().as_bytes()).collect();
        format!("{page}?next={encoded}")
    }
}
