//! The storyteller's page, for anyone holding the campaign's storyteller link: no account.
//! Each call finds the link from its token, then acts as Postgres role `storyteller`,
//! confined to that campaign (`server::db::storyteller`).
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::storyteller::StorytellerPage;

/// Runs `$body` in a storyteller transaction for the link behind `$token` (404 for an
/// unknown or replaced token), and commits.
#[cfg(feature = "ssr")]
macro_rules! as_storyteller {
    ($token:expr, |$state:ident, $tx:ident, $link:ident| $body:block) => {
        async {
            use crate::server::db::storyteller::{self, Found, StorytellerTx};
            let $state = crate::server::request::state()?;
            let Found::Live($link) = storyteller::find(&$state.db, &$token).await? else {
                return Err(AppError::NotFound);
            };
            let mut $tx = StorytellerTx::begin(&$state.db, &$link).await?;
            let value = $body;
            $tx.commit().await?;
            Ok::<_, AppError>(value)
        }
    };
}

/// The page's data: the question to answer (`q`, else the newest open one) and the
/// earlier ones; or, for a replaced link, whom to ask for the new one.
#[server(endpoint = "open_storyteller_link")]
pub async fn open_storyteller_link(token: String, #[server(default)] q: String) -> Result<StorytellerPage, AppError> {
    use crate::server::db::storyteller::{self, Found, StorytellerTx};
    use crate::server::request;
    let result = async {
        let state = request::state()?;
        let link = match storyteller::find(&state.db, &token).await? {
            Found::Live(link) => link,
            Found::Replaced { ask } => return Ok(StorytellerPage::Replaced { ask }),
            Found::Unknown => return Err(AppError::NotFound),
        };
        let mut tx = StorytellerTx::begin(&state.db, &link).await?;
        let view = storyteller::page(&mut tx, &link, q.parse().ok()).await?;
        tx.commit().await?;
        Ok(StorytellerPage::Open(view))
    }
    .await;
    request::respond(result)
}

/// A written answer to a question sent to them.
#[server(endpoint = "answer_in_writing")]
pub async fn answer_in_writing(token: String, question_id: Uuid, answer: String) -> Result<(), AppError> {
    use crate::model::storyteller::AnswerText;
    use crate::server::request;
    use crate::urls;
    let back = urls::storyteller_question(&token, question_id);
    let typed = vec![("answer".to_owned(), answer.clone())];
    let result = as_storyteller!(token, |state, tx, link| {
        let text = AnswerText::parse(&answer)?;
        crate::server::db::storyteller::answer(&mut tx, &link, question_id, Uuid::new_v4(), Some(&text), None, false)
            .await?
    })
    .await;
    if result.is_ok() {
        leptos_axum::redirect(&thanks(&token, question_id));
    }
    request::respond_to_form("answer", typed, &back, result.map(|_| ())).await
}

/// The storyteller sets a question aside; the family sees it was skipped.
#[server(endpoint = "skip_my_question")]
pub async fn skip_my_question(token: String, question_id: Uuid) -> Result<(), AppError> {
    use crate::server::db::storyteller::skip;
    use crate::server::request;
    use crate::urls;
    let back = urls::storyteller(&token);
    let result = as_storyteller!(token, |state, tx, link| { skip(&mut tx, question_id).await? }).await;
    if result.is_ok() {
        leptos_axum::redirect(&format!("{back}?skipped={question_id}"));
    }
    request::respond_to_form("skip", Vec::new(), &back, result).await
}

/// Where a sent answer lands: the page, saying thank you for that question.
pub fn thanks(token: &str, question_id: Uuid) -> String {
    format!("{}?thanks={question_id}", crate::urls::storyteller(token))
}
