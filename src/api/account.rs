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
        let account = accounts::profile(&mut tx, state.quota.per_owner).await?;
        tx.commit().await?;
        Ok(account)
    }
    .await;
    request::respond(result)
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
        accounts::set_story_emails(&mut tx, choice).await?;
        tx.commit().await?;
        if plain {
            leptos_axum::redirect("/account");
        }
        Ok(())
    }
    .await;
    request::respond_to_form("set_story_emails", Vec::new(), "/account", result).await
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
