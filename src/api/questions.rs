//! Questions for the storyteller: the library, and the campaign's queue (choose, write,
//! reorder, skip, remove). Reading needs membership; changing needs can_manage_questions.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::question::QuestionsPage;
#[cfg(feature = "ssr")]
use crate::urls;

/// The page's data; `topic` and `search` filter the library.
#[server(endpoint = "questions")]
pub async fn questions(
    campaign_id: Uuid,
    #[server(default)] topic: String,
    #[server(default)] search: String,
) -> Result<QuestionsPage, AppError> {
    use crate::model::Role;
    use crate::server::db::questions;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        questions::page(&mut tx, &access, &topic, &search).await?
    })
}

#[server(endpoint = "add_prompt")]
pub async fn add_prompt(campaign_id: Uuid, prompt_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::questions;
    let back = format!("{}#library", urls::questions(campaign_id));
    in_campaign!("add_prompt", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        questions::add_prompt(&mut tx, &access, prompt_id).await?;
    })
}

/// "Tell us about this picture", about one of the campaign's photos.
#[server(endpoint = "ask_about_photo")]
pub async fn ask_about_photo(campaign_id: Uuid, photo_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::questions;
    let back = format!("{}#photos", urls::questions(campaign_id));
    in_campaign!("ask_about_photo", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        questions::ask_about_photo(&mut tx, &access, photo_id).await?;
    })
}

#[server(endpoint = "write_question")]
pub async fn write_question(
    campaign_id: Uuid,
    question: String,
    #[server(default)] category: String,
) -> Result<(), AppError> {
    use crate::model::{question::QuestionText, Role};
    use crate::server::db::questions;
    let typed = vec![("question".to_owned(), question.clone()), ("category".to_owned(), category.clone())];
    let back = format!("{}#write", urls::questions(campaign_id));
    in_campaign!("write_question", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        access.ensure_may_manage_questions()?;
        let text = QuestionText::parse(&question)?;
        let category = questions::parse_category(&category)?;
        questions::write(&mut tx, &access, &text, &category).await?;
    })
}

#[server(endpoint = "move_question")]
pub async fn move_question(campaign_id: Uuid, question_id: Uuid, up: bool) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::questions;
    let back = format!("{}#question-{question_id}", urls::questions(campaign_id));
    in_campaign!("move_question", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        questions::move_question(&mut tx, &access, question_id, up).await?;
    })
}

#[server(endpoint = "skip_question")]
pub async fn skip_question(campaign_id: Uuid, question_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::questions;
    let back = urls::questions(campaign_id);
    in_campaign!("skip_question", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        questions::skip(&mut tx, &access, question_id).await?;
    })
}

#[server(endpoint = "remove_question")]
pub async fn remove_question(campaign_id: Uuid, question_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::questions;
    let back = urls::questions(campaign_id);
    in_campaign!("remove_question", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        questions::remove(&mut tx, &access, question_id).await?;
    })
}
