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
        let account = accounts::profile(&mut tx).await?;
        tx.commit().await?;
        Ok(account)
    }
    .await;
    request::respond(result)
}
