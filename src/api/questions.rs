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
    use crate::server::db::{schedules, storyteller::token_hash};
    use crate::server::schedule::Slot;
    // A write: the storyteller's link is made the first time a manager opens the page.
    in_campaign!(write campaign_id, Role::Viewer, |state, tx, access| {
        let mut page = questions::page(&mut tx, &access, &topic, &search).await?;
        page.schedule = schedules::get(&mut tx, &access).await?.map(|(mut schedule, next)| {
            let slot = Slot::parse(&schedule.weekday.to_string(), &schedule.time, &schedule.time_zone).ok();
            schedule.next = slot.zip(next).filter(|_| !schedule.paused).map(|(slot, at)| slot.describe(at));
            schedule
        });
        page.your_time_zone = crate::server::db::accounts::preferences(&mut tx).await?.time_zone;
        if access.may_manage_questions() {
            let new_id = Uuid::new_v4();
            let hash = token_hash(&state.signer.storyteller_token(new_id));
            let id = questions::storyteller_link(&mut tx, &access, new_id, &hash).await?;
            let token = state.signer.storyteller_token(id);
            page.storyteller_link = Some(format!("{}{}", state.public_url, urls::storyteller(&token)));
            page.held = crate::server::db::replies::held(&mut tx, &access).await?;
        }
        page
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

/// Publishes an emailed reply that was held (its sender may not answer) as the storyteller's
/// answer: the story it would have made, with its photos and recording.
#[server(endpoint = "publish_emailed_reply")]
pub async fn publish_emailed_reply(campaign_id: Uuid, reply_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::replies::{held_message, Published};
    use crate::server::replies::{publish, Outcome};
    let back = format!("{}#held", urls::questions(campaign_id));
    in_campaign!("publish_emailed_reply", campaign_id, Role::Contributor, back, Vec::new(), |state, tx, access| {
        access.ensure_may_manage_questions()?;
        let raw_key = held_message(&mut tx, &access, reply_id).await?;
        match publish(state, &raw_key, Published { reply_id, by: tx.user_id() }).await? {
            Outcome::Answered(_) | Outcome::Added(_) => {}
            Outcome::Duplicate => return Err(AppError::Conflict("That message was already dealt with.".into())),
            _ => {
                return Err(AppError::Conflict(
                    "The question this message answers is gone, so it can't be published. You can discard it.".into(),
                ))
            }
        }
    })
}

/// Discards an emailed reply that was held: it is never published, and the stored message
/// is deleted.
#[server(endpoint = "discard_emailed_reply")]
pub async fn discard_emailed_reply(campaign_id: Uuid, reply_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::replies::discard;
    let back = format!("{}#held", urls::questions(campaign_id));
    let raw_key =
        in_campaign!("discard_emailed_reply", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
            access.ensure_may_manage_questions()?;
            discard(&mut tx, &access, reply_id).await?
        })?;
    if let Some(key) = raw_key {
        crate::server::request::state()?.storage.delete(&[key]).await;
    }
    Ok(())
}

/// The storyteller's link (made the first time it is asked for), as a full address to copy.
#[server(endpoint = "storyteller_link")]
pub async fn storyteller_link(campaign_id: Uuid) -> Result<String, AppError> {
    use crate::model::Role;
    use crate::server::db::{questions, storyteller::token_hash};
    in_campaign!(write campaign_id, Role::Contributor, |state, tx, access| {
        access.ensure_may_manage_questions()?;
        let new_id = Uuid::new_v4();
        let hash = token_hash(&state.signer.storyteller_token(new_id));
        let id = questions::storyteller_link(&mut tx, &access, new_id, &hash).await?;
        format!("{}{}", state.public_url, urls::storyteller(&state.signer.storyteller_token(id)))
    })
}

/// A new storyteller link; the old one stops working at once and says whom to ask.
#[server(endpoint = "replace_storyteller_link")]
pub async fn replace_storyteller_link(campaign_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::{questions, storyteller::token_hash};
    let back = format!("{}#link", urls::questions(campaign_id));
    in_campaign!("replace_storyteller_link", campaign_id, Role::Contributor, back, Vec::new(), |state, tx, access| {
        access.ensure_may_manage_questions()?;
        let new_id = Uuid::new_v4();
        let hash = token_hash(&state.signer.storyteller_token(new_id));
        questions::replace_storyteller_link(&mut tx, &access, new_id, &hash).await?;
    })
}

/// Sends the first waiting question now, by email when the campaign has the storyteller's
/// address (else the family passes the link on).
#[server(endpoint = "send_question_now")]
pub async fn send_question_now(campaign_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::{questions, storyteller::token_hash};
    let back = format!("{}#asked", urls::questions(campaign_id));
    in_campaign!("send_question_now", campaign_id, Role::Contributor, back, Vec::new(), |state, tx, access| {
        access.ensure_may_manage_questions()?;
        let new_id = Uuid::new_v4();
        let hash = token_hash(&state.signer.storyteller_token(new_id));
        let link_id = questions::storyteller_link(&mut tx, &access, new_id, &hash).await?;
        let Some(sent) = questions::send_next(&mut tx, &access).await? else {
            return Err(AppError::Conflict("There is no question waiting. Add one to the queue first.".into()));
        };
        let token = state.signer.storyteller_token(link_id);
        if let Some(mail) = crate::server::storyteller_mail::question(
            &state.public_url,
            &token,
            state.replies_by_email.then(|| state.signer.reply_key(sent.id)),
            &sent,
        ) {
            mail.queue(&mut tx).await?;
        }
    })
}

/// The weekly question: day, time and time zone, the reminder, paused or not.
#[server(endpoint = "save_question_schedule")]
pub async fn save_question_schedule(
    campaign_id: Uuid,
    weekday: String,
    time: String,
    time_zone: String,
    #[server(default)] reminder_days: String,
    #[server(default)] paused: Option<String>,
) -> Result<(), AppError> {
    use crate::model::question::QuestionSchedule;
    use crate::model::Role;
    use crate::server::db::schedules;
    use crate::server::schedule::Slot;
    let typed = vec![
        ("weekday".to_owned(), weekday.clone()),
        ("time".to_owned(), time.clone()),
        ("time_zone".to_owned(), time_zone.clone()),
        ("reminder_days".to_owned(), reminder_days.clone()),
    ];
    let back = format!("{}#schedule", urls::questions(campaign_id));
    in_campaign!("save_question_schedule", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        access.ensure_may_manage_questions()?;
        let slot = Slot::parse(&weekday, &time, &time_zone)?;
        let reminder_days = match reminder_days.trim() {
            "" | "off" => None,
            days => match days.parse::<u8>() {
                Ok(n @ 1..=14) => Some(n),
                _ => return Err(AppError::invalid("reminder_days", "Please choose when to remind them.")),
            },
        };
        let schedule = QuestionSchedule {
            weekday: weekday.trim().parse().unwrap_or(1),
            time: slot.time.format("%H:%M").to_string(),
            time_zone: slot.zone.name().to_owned(),
            paused: paused.is_some(),
            reminder_days,
            next: None,
        };
        schedules::save(&mut tx, &access, &schedule, slot.next_after(chrono::Utc::now())).await?;
    })
}
