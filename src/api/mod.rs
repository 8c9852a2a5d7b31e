//! Every server function, one file per domain. Each is a public POST endpoint under
//! `/api/`: authenticate → authorize → validate → call `server::db` → map errors.

/// Runs `$body` with `$tx` (the user's transaction) and `$access` (at least `$role` in
/// `$campaign`), commits, and answers a plain form post with a redirect to `$back`.
///
/// `in_campaign!(read …)` is the same for a read: no redirect, no flash, just the answer
/// with its real HTTP status; its transaction refuses writes. `in_campaign!(write …)`
/// answers the same way after a change.
#[cfg(feature = "ssr")]
macro_rules! in_campaign {
    // The shared part: the user's transaction, authorized for the campaign, the body, commit.
    (@authorized $begin:ident, $campaign:expr, $role:expr, |$state:pat, $tx:ident, $access:ident| $body:block) => {
        async {
            let user = crate::server::request::require_user().await?;
            let app_state = crate::server::request::state()?;
            let mut $tx = app_state.db.$begin(user.id).await?;
            let $access = crate::server::authz::CampaignAccess::require(&mut $tx, $campaign, $role).await?;
            let $state = &app_state;
            let value = $body;
            $tx.commit().await?;
            Ok::<_, crate::error::AppError>(value)
        }
    };
    // A read: PostgreSQL refuses writes in its transaction (`Db::begin_reading_as`).
    (read $campaign:expr, $role:expr, |$state:pat, $tx:ident, $access:ident| $body:block) => {{
        let result = in_campaign!(@authorized begin_reading_as, $campaign, $role, |$state, $tx, $access| $body).await;
        crate::server::request::respond(result)
    }};
    (write $campaign:expr, $role:expr, |$state:pat, $tx:ident, $access:ident| $body:block) => {{
        let result = in_campaign!(@authorized begin_as, $campaign, $role, |$state, $tx, $access| $body).await;
        crate::server::request::respond(result)
    }};
    ($name:literal, $campaign:expr, $role:expr, $back:expr, $typed:expr, |$state:pat, $tx:ident, $access:ident| $body:block) => {{
        use crate::server::request;
        let plain = request::is_plain_form_post();
        let back: String = $back;
        let result = async {
            let value = in_campaign!(@authorized begin_as, $campaign, $role, |$state, $tx, $access| $body).await?;
            if plain {
                leptos_axum::redirect(&back);
            }
            Ok(value)
        }
        .await;
        request::respond_to_form($name, $typed, &back, result).await
    }};
}

pub mod account;
pub mod auth;
pub mod books;
pub mod campaigns;
pub mod family;
pub mod orders;
pub mod photos;
pub mod questions;
pub mod stories;
pub mod storyteller;
