//! The signed-in person's own account.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model;

#[server(endpoint = "account")]
pub async fn account() -> Result<model::Account, AppError> {
    use crate::server::{db::accounts, request};
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        let mut tx = state.db.begin_as(user.id).await?;
        let mut account = accounts::profile(&mut tx, state.quota.per_owner).await?;
        tx.commit().await?;
        account.email_confirmed = !state.email_sends || accounts::email_confirmed(&state.db, user.id).await?;
        Ok(account)
    }
    .await;
    request::respond(result)
}

/// "Email me the link again": a fresh sign-up confirmation link, for an account whose address
/// is not confirmed yet. The same answer when nothing was sent (limit reached, or confirmed).
#[server(endpoint = "resend_confirmation")]
pub async fn resend_confirmation() -> Result<(), AppError> {
    use crate::server::limits::SIGN_UP_MAILS_PER_EMAIL;
    use crate::server::{db::accounts, request};
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        if state.email_sends {
            let mail = SIGN_UP_MAILS_PER_EMAIL.hit(&state.db, &user.email).await.is_ok();
            accounts::resend_confirmation(&state.db, user.id, &state.public_url, mail).await?;
        }
        leptos_axum::redirect("/account?changed=confirmation-sent#confirm");
        Ok(())
    }
    .await;
    request::respond_to_form("resend_confirmation", Vec::new(), "/account#confirm", result).await
}

/// Which new-story emails the signed-in person gets.
#[server(endpoint = "set_story_emails")]
pub async fn set_story_emails(choice: String) -> Result<(), AppError> {
    use crate::model::StoryEmails;
    use crate::server::{db::accounts, request};
    let plain = request::is_plain_form_post();
    let result = async {
        let user = request::require_user().await?;
        let choice = StoryEmails::parse(&choice)
            .ok_or_else(|| AppError::invalid("choice", "Please choose one of the options."))?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        accounts::update_preferences(&mut tx, |p| p.story_emails = choice).await?;
        tx.commit().await?;
        if plain {
            leptos_axum::redirect("/account");
        }
        Ok(())
    }
    .await;
    request::respond_to_form("set_story_emails", Vec::new(), "/account", result).await
}

/// Where the person lives: a new weekly-question schedule starts in this time zone. Empty
/// clears it.
#[server(endpoint = "set_time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<(), AppError> {
    use crate::server::{db::accounts, request};
    let typed = vec![("time_zone".to_owned(), time_zone.clone())];
    let result = async {
        let user = request::require_user().await?;
        let zone = match time_zone.trim() {
            "" => None,
            name => Some(
                name.parse::<chrono_tz::Tz>()
                    .map_err(|_| {
                        AppError::invalid(
                            "time_zone",
                            "Please choose a time zone from the list, such as Europe/London.",
                        )
                    })?
                    .name()
                    .to_owned(),
            ),
        };
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        accounts::update_preferences(&mut tx, |p| p.time_zone = zone).await?;
        tx.commit().await?;
        leptos_axum::redirect("/account?changed=time-zone#time-zone");
        Ok(())
    }
    .await;
    request::respond_to_form("set_time_zone", typed, "/account#time-zone", result).await
}

/// The name the family sees.
#[server(endpoint = "save_name")]
pub async fn save_name(name: String) -> Result<(), AppError> {
    use crate::model::DisplayName;
    use crate::server::{db::accounts, request};
    let typed = vec![("name".to_owned(), name.clone())];
    let result = async {
        let user = request::require_user().await?;
        let name = DisplayName::parse(&name).map_err(|message| AppError::invalid("name", message))?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        accounts::set_name(&mut tx, &name).await?;
        tx.commit().await?;
        leptos_axum::redirect("/account#profile");
        Ok(())
    }
    .await;
    request::respond_to_form("save_name", typed, "/account#profile", result).await
}

/// A new password, with the current one. Every other session ends (the password is the
/// session's auth hash); this one goes on with a new id.
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::model::Password;
    use crate::server::auth::hash_password;
    use crate::server::{db::accounts, request};
    let result = async {
        let user = request::require_user().await?;
        let db = request::state()?.db;
        let new = Password::parse(&new_password).map_err(|message| AppError::invalid("new_password", message))?;
        require_current_password(&db, &user, current_password).await?;
        let hash = hash_password(new).await?;
        accounts::set_password(&db, user.id, &hash).await?;
        let user = accounts::login_by_id(&db, user.id).await?.ok_or(AppError::Unauthenticated)?;
        request::log_in(&user).await?;
        tracing::info!(user_id = %user.id, "changed a password");
        leptos_axum::redirect("/account?changed=password#password");
        Ok(())
    }
    .await;
    request::respond_to_form("change_password", Vec::new(), "/account#password", result).await
}

/// Moves the account to a new address once that address confirms (a link is sent to it,
/// and the old one is told). Needs the current password.
#[server(endpoint = "change_email")]
pub async fn change_email(email: String, current_password: String) -> Result<(), AppError> {
    use crate::model::Email;
    use crate::server::{db::accounts, request};
    let typed = vec![("email".to_owned(), email.clone())];
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        let email = Email::parse(&email).map_err(|message| AppError::invalid("email", message))?;
        require_current_password(&state.db, &user, current_password).await?;
        crate::server::limits::RECOVERY_MAILS_PER_EMAIL.hit(&state.db, email.as_str()).await?;
        accounts::request_email_change(&state.db, user.id, &email, &state.public_url).await?;
        leptos_axum::redirect("/account?changed=email-sent#email");
        Ok(())
    }
    .await;
    request::respond_to_form("change_email", typed, "/account#email", result).await
}

#[cfg(feature = "ssr")]
async fn require_current_password(
    db: &crate::server::db::Db,
    user: &crate::server::auth::AuthUser,
    password: String,
) -> Result<(), AppError> {
    use crate::server::limits::WRONG_PASSWORD_PER_ACCOUNT;
    WRONG_PASSWORD_PER_ACCOUNT.check(db, &user.email).await?;
    if crate::server::auth::is_their_password(user, password).await? {
        return Ok(());
    }
    WRONG_PASSWORD_PER_ACCOUNT.record(db, &user.email).await?;
    Err(AppError::invalid("current_password", "That is not your current password."))
}

/// The link sent to a new address: one button makes it the account's email.
#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    use crate::server::{db::accounts, request};
    let back = crate::urls::confirm_email_change(&token);
    let result = async {
        let db = request::state()?.db;
        let user_id = accounts::confirm_email_change(&db, &token).await?;
        tracing::info!(%user_id, "changed an email address");
        let signed_in = request::auth_session().await?.user.is_some_and(|u| u.id == user_id);
        leptos_axum::redirect(if signed_in { "/account?changed=email#email" } else { "/login" });
        Ok(())
    }
    .await;
    request::respond_to_form("confirm_email_change", Vec::new(), &back, result).await
}

/// The unsubscribe link from a story email: a signed token, no login needed.
#[server(endpoint = "unsubscribe")]
pub async fn unsubscribe(token: String) -> Result<(), AppError> {
    use crate::server::{db::accounts, request};
    let back = format!("/unsubscribe?token={}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>());
    let result = async {
        let state = request::state()?;
        let user = state.signer.unsubscriber(&token).ok_or(AppError::BadRequest)?;
        accounts::unsubscribe(&state.db, &user).await?;
        leptos_axum::redirect(&format!("{back}&done=1"));
        Ok(())
    }
    .await;
    request::respond_to_form("unsubscribe", Vec::new(), &back, result).await
}

/// The person's latest "Download my data" export, for the account page.
#[server(endpoint = "data_export")]
pub async fn data_export() -> Result<Option<model::DataExport>, AppError> {
    use crate::server::{db::exports, request};
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let export = exports::latest(&mut tx).await?;
        tx.commit().await?;
        Ok(export)
    }
    .await;
    request::respond(result)
}

/// Starts making a ZIP of everything the person may take with them (a background job; the
/// account page follows it and an email says when it is ready).
#[server(endpoint = "export_my_data")]
pub async fn export_my_data() -> Result<(), AppError> {
    use crate::server::{db::exports, request};
    let result = async {
        let user = request::require_user().await?;
        exports::request(&request::state()?.db, user.id).await?;
        leptos_axum::redirect("/account#your-data");
        Ok(())
    }
    .await;
    request::respond_to_form("export_my_data", Vec::new(), "/account#your-data", result).await
}

/// What deleting the signed-in person's account would do.
#[server(endpoint = "deletion_preview")]
pub async fn deletion_preview() -> Result<model::account::DeletionPreview, AppError> {
    use crate::server::{db::deletion, request};
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let mut preview = deletion::preview(&mut tx).await?;
        tx.commit().await?;
        preview.signed_in_by_link = request::recently_signed_in_by_link().await?;
        Ok(preview)
    }
    .await;
    request::respond(result)
}

/// Deletes the account after seven days of grace, with the current password (or a sign-in
/// by emailed link a moment ago). Signs out everywhere now; logging in before the end keeps
/// the account.
#[server(endpoint = "delete_my_account")]
pub async fn delete_my_account(#[server(default)] current_password: String) -> Result<(), AppError> {
    use crate::server::{account_mail, db::deletion, request};
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        if current_password.is_empty() && request::recently_signed_in_by_link().await? {
            tracing::info!(user_id = %user.id, "a recent sign-in by emailed link proves the person");
        } else {
            require_current_password(&state.db, &user, current_password).await?;
        }
        let after = deletion::request(&state.db, user.id).await?;
        account_mail::deletion_requested(&user.email, &user.name, after, &state.public_url).queue_on(&state.db).await?;
        tracing::info!(user_id = %user.id, "an account asked to be deleted");
        let mut auth = request::auth_session().await?;
        if let Err(err) = auth.logout().await {
            tracing::error!(error = %err, "could not end the session of an account being deleted");
        }
        leptos_axum::redirect(crate::urls::ACCOUNT_DELETED);
        Ok(())
    }
    .await;
    request::respond_to_form("delete_my_account", Vec::new(), crate::urls::DELETE_ACCOUNT, result).await
}

/// Takes the person's picture away.
#[server(endpoint = "remove_avatar")]
pub async fn remove_avatar() -> Result<(), AppError> {
    use crate::server::{db::accounts, keys, request};
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        let mut tx = state.db.begin_as(user.id).await?;
        let old = accounts::set_avatar(&mut tx, None).await?;
        tx.commit().await?;
        if let Some(key) = old.as_deref().and_then(keys::avatar_from_url) {
            state.storage.delete(&[key]).await;
        }
        leptos_axum::redirect("/account#picture");
        Ok(())
    }
    .await;
    request::respond_to_form("remove_avatar", Vec::new(), "/account#picture", result).await
}
