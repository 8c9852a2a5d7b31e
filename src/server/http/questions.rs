//! Question cards: a PDF of the storyteller's open questions, one card a page, each with a
//! QR code that opens the storyteller's page at that question. Printing can first hand
//! over the next questions from the queue (they count as sent: the card is how they go).
use std::collections::HashMap;

use axum::{
    extract::{Form, Path, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use mystoryflow_book::{CardPaper, QuestionCard, QuestionCards, Typesetter};
use uuid::Uuid;

use super::{wants_html, FormFailure};
use crate::error::AppError;
use crate::model::question::{CARDS_FORM, MAX_NEW_CARDS};
use crate::model::Role;
use crate::server::auth::AuthSession;
use crate::server::authz::CampaignAccess;
use crate::server::db::{questions, storyteller::token_hash};
use crate::server::keys;
use crate::server::limits;
use crate::server::state::AppState;
use crate::urls;

/// What the form asks: the paper, and how many new questions to take from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardsRequest {
    pub paper: CardPaper,
    pub more: u32,
}

impl CardsRequest {
    pub fn parse(form: &HashMap<String, String>) -> Result<Self, AppError> {
        let paper = match form.get("paper").map(|p| p.trim()) {
            Some("letter") => CardPaper::Letter,
            Some("a4") => CardPaper::A4,
            _ => return Err(AppError::invalid("paper", "Please choose Letter or A4 paper.")),
        };
        let more = match form.get("more").map(|m| m.trim()).unwrap_or("") {
            "" => 0,
            text => match text.parse::<u32>() {
                Ok(n) if n <= MAX_NEW_CARDS => n,
                _ => {
                    return Err(AppError::invalid(
                        "more",
                        format!("Please choose a number of new questions from 0 to {MAX_NEW_CARDS}."),
                    ))
                }
            },
        };
        Ok(CardsRequest { paper, more })
    }
}

/// `POST /campaigns/{campaign_id}/questions/cards` (form: `paper`, `more`) → the PDF.
pub async fn question_cards(
    State(state): State<AppState>,
    auth: AuthSession,
    session: tower_sessions::Session,
    Path(campaign_id): Path<Uuid>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    match cards(&state, &auth, campaign_id, &form).await {
        Ok(pdf) => {
            let mut response = pdf.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"question-cards.pdf\""),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            response
        }
        Err(error) => {
            let back = format!("{}#cards", urls::questions(campaign_id));
            let values = ["paper", "more"]
                .iter()
                .filter_map(|k| form.get(*k).map(|v| ((*k).to_owned(), v.chars().take(20).collect())))
                .collect();
            FormFailure {
                form: CARDS_FORM,
                error,
                back: wants_html(&headers).then_some(back),
                session: Some(session),
                values,
            }
            .into_response()
            .await
        }
    }
}

async fn cards(
    state: &AppState,
    auth: &AuthSession,
    campaign_id: Uuid,
    form: &HashMap<String, String>,
) -> Result<Vec<u8>, AppError> {
    let user = auth.user.as_ref().ok_or(AppError::Unauthenticated)?.id;
    let mut tx = state.db.begin_as(user).await?;
    let access = CampaignAccess::require(&mut tx, campaign_id, Role::Contributor).await?;
    access.ensure_may_manage_questions()?;
    let request = CardsRequest::parse(form)?;
    if request.more > 0 {
        access.ensure_editable()?;
    }
    let new_id = Uuid::new_v4();
    let hash = token_hash(&state.signer.storyteller_token(new_id));
    let link_id = questions::storyteller_link(&mut tx, &access, new_id, &hash).await?;
    let open = questions::for_cards(&mut tx, &access, request.more).await?;
    if open.open.is_empty() {
        return Err(AppError::Conflict(
            "There is no question waiting for an answer, and none in the queue. Add a question first.".into(),
        ));
    }
    let token = state.signer.storyteller_token(link_id);
    let base = state.public_url.trim_end_matches('/');
    let mut cards = Vec::with_capacity(open.open.len());
    for (id, question, photo) in open.open {
        let photo = match photo {
            // A card without its photo still asks the question; the page shows the photo.
            Some(photo) => state.storage.read_all(&keys::photo(campaign_id, photo, "display")).await.ok(),
            None => None,
        };
        cards.push(QuestionCard { question, photo, url: format!("{base}{}", urls::storyteller_question(&token, id)) });
    }
    let spec = QuestionCards {
        paper: request.paper,
        storyteller_name: open.storyteller_name,
        family: open.family,
        address: format!("{base}{}", urls::storyteller(&token)),
        cards,
    };
    let pdf = limits::typeset(move || Typesetter::new().question_cards(&spec)).await?.map_err(|err| {
        tracing::error!(error = %err, "question cards");
        AppError::Internal
    })?;
    // Only now are the new questions sent: a failed PDF hands over nothing.
    tx.commit().await?;
    Ok(pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_cards_form_takes_a_paper_and_up_to_twelve_new_questions() {
        let ok = CardsRequest::parse(&form(&[("paper", "a4"), ("more", " 3 ")])).unwrap();
        assert_eq!(ok, CardsRequest { paper: CardPaper::A4, more: 3 });
        let none = CardsRequest::parse(&form(&[("paper", "letter")])).unwrap();
        assert_eq!(none, CardsRequest { paper: CardPaper::Letter, more: 0 });
        for bad in [&[("paper", "a3")][..], &[("paper", "a4"), ("more", "13")], &[("paper", "a4"), ("more", "-1")]] {
            assert!(matches!(CardsRequest::parse(&form(bad)), Err(AppError::Validation(_))), "{bad:?}");
        }
    }
}
