//! A campaign's questions for its storyteller, and the library they are chosen from. Every
//! change to a queue runs under a transaction-level advisory lock on the campaign, so two
//! members adding or moving at once never meet on a position.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::question::{
    CampaignQuestion, PhotoChoice, Prompt, QuestionStatus, QuestionText, QuestionsPage, MAX_CARDS, MAX_SEARCH_CHARS,
    PHOTO_QUESTION, TOPICS,
};
use crate::model::story::CATEGORIES;
use crate::server::authz::CampaignAccess;

/// The page: the campaign's questions and the library filtered by `topic` (one of TOPICS,
/// else all) and the words in `search`, without those already chosen.
pub async fn page(
    tx: &mut UserTx,
    access: &CampaignAccess,
    topic: &str,
    search: &str,
) -> Result<QuestionsPage, AppError> {
    let campaign = sqlx::query!(
        r#"SELECT title, storyteller_name, coalesce(total_prompts, 0) AS "total!", coalesce(used_prompts, 0) AS "used!"
           FROM campaigns WHERE id = $1"#,
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await?;
    let rows = sqlx::query!(
        r#"SELECT id, question, category, status, prompt_id IS NOT NULL AS "from_library!", photo_id,
                  sent_at AS "sent_at: DateTime<Utc>", answered_at AS "answered_at: DateTime<Utc>",
                  skipped_at AS "skipped_at: DateTime<Utc>", story_id,
                  coalesce((SELECT array_agg(note) FROM email_replies e, unnest(e.notes) AS note
                            WHERE e.question_id = q.id AND e.status IN ('answered', 'added', 'published')),
                           '{}') AS "email_notes!"
           FROM campaign_questions q WHERE campaign_id = $1
           ORDER BY position"#,
        access.campaign_id()
    )
    .fetch_all(tx.conn())
    .await?;
    let (mut queue, mut asked) = (Vec::new(), Vec::new());
    for row in rows {
        let status = QuestionStatus::parse(&row.status).unwrap_or(QuestionStatus::Queued);
        let question = CampaignQuestion {
            id: row.id,
            question: row.question,
            category: row.category,
            status,
            from_library: row.from_library,
            photo_id: row.photo_id,
            sent_at: row.sent_at,
            answered_at: row.answered_at,
            skipped_at: row.skipped_at,
            story_id: row.story_id,
            email_notes: row.email_notes,
        };
        if status == QuestionStatus::Queued {
            queue.push(question);
        } else {
            asked.push(question);
        }
    }
    asked.reverse();
    let topic = TOPICS.iter().find(|(value, _)| *value == topic).map(|(value, _)| *value);
    let words: String = search.trim().chars().take(MAX_SEARCH_CHARS).collect();
    let pattern = format!("%{}%", words.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let order: Vec<String> = TOPICS.iter().map(|(value, _)| (*value).to_owned()).collect();
    let library = sqlx::query_as!(
        Prompt,
        r#"SELECT p.id, p.topic, p.question FROM prompts p
           WHERE ($2::text IS NULL OR p.topic = $2) AND p.question ILIKE $3
             AND NOT EXISTS (SELECT 1 FROM campaign_questions q WHERE q.campaign_id = $1 AND q.prompt_id = p.id)
           ORDER BY array_position($4::text[], p.topic), p.position"#,
        access.campaign_id(),
        topic,
        pattern,
        &order,
    )
    .fetch_all(tx.conn())
    .await?;
    let photos = sqlx::query_as!(
        PhotoChoice,
        r#"SELECT p.id, p.caption FROM photos p
           WHERE p.campaign_id = $1
             AND NOT EXISTS (SELECT 1 FROM campaign_questions q WHERE q.campaign_id = $1 AND q.photo_id = p.id)
           ORDER BY p.created_at DESC, p.id
           LIMIT 60"#,
        access.campaign_id(),
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(QuestionsPage {
        campaign_id: access.campaign_id(),
        campaign_title: campaign.title,
        storyteller_name: campaign.storyteller_name.filter(|n| !n.trim().is_empty()),
        may_manage: access.may_manage_questions(),
        storyteller_link: None,
        schedule: None,
        your_time_zone: None,
        queue,
        asked,
        total_prompts: campaign.total,
        used_prompts: campaign.used,
        library,
        photos,
        held: Vec::new(),
    })
}

async fn lock_queue(tx: &mut UserTx, access: &CampaignAccess) -> Result<(), AppError> {
    access.ensure_may_manage_questions()?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('questions:' || $1::uuid::text, 0))",
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(())
}

/// Adds a library question at the end of the queue; adding one already there changes nothing.
pub async fn add_prompt(tx: &mut UserTx, access: &CampaignAccess, prompt_id: Uuid) -> Result<(), AppError> {
    lock_queue(tx, access).await?;
    let exists = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM prompts WHERE id = $1"#, prompt_id)
        .fetch_one(tx.conn())
        .await?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        r#"INSERT INTO campaign_questions (campaign_id, prompt_id, question, category, position, created_by)
           SELECT $1, p.id, p.question, p.category,
                  coalesce((SELECT max(position) FROM campaign_questions WHERE campaign_id = $1), 0) + 1, $3
           FROM prompts p WHERE p.id = $2
           ON CONFLICT (campaign_id, prompt_id) WHERE prompt_id IS NOT NULL DO NOTHING"#,
        access.campaign_id(),
        prompt_id,
        access.user_id(),
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Adds "Tell us about this picture" about one of the campaign's photos at the end of the
/// queue; asking about a photo already asked about changes nothing.
pub async fn ask_about_photo(tx: &mut UserTx, access: &CampaignAccess, photo_id: Uuid) -> Result<(), AppError> {
    lock_queue(tx, access).await?;
    let ours = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM photos WHERE id = $1 AND campaign_id = $2"#,
        photo_id,
        access.campaign_id()
    )
    .fetch_one(tx.conn())
    .await?;
    if ours == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        r#"INSERT INTO campaign_questions (campaign_id, photo_id, question, category, position, created_by)
           VALUES ($1, $2, $3, 'family', coalesce((SELECT max(position) FROM campaign_questions WHERE campaign_id = $1), 0) + 1, $4)
           ON CONFLICT (campaign_id, photo_id) WHERE photo_id IS NOT NULL DO NOTHING"#,
        access.campaign_id(),
        photo_id,
        PHOTO_QUESTION,
        access.user_id(),
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The story category an answer to a written question is filed under: one of the suggested
/// categories, "other" when none was chosen.
pub fn parse_category(category: &str) -> Result<String, AppError> {
    let category = category.trim();
    if category.is_empty() {
        return Ok("other".into());
    }
    CATEGORIES
        .iter()
        .find(|(value, _)| *value == category)
        .map(|(value, _)| (*value).to_owned())
        .ok_or_else(|| AppError::invalid("category", "Please choose one of the categories."))
}

/// Adds a question the family wrote at the end of the queue.
pub async fn write(
    tx: &mut UserTx,
    access: &CampaignAccess,
    text: &QuestionText,
    category: &str,
) -> Result<Uuid, AppError> {
    lock_queue(tx, access).await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO campaign_questions (campaign_id, question, category, position, created_by)
           VALUES ($1, $2, $3, coalesce((SELECT max(position) FROM campaign_questions WHERE campaign_id = $1), 0) + 1, $4)
           RETURNING id"#,
        access.campaign_id(),
        text.as_str(),
        category,
        access.user_id(),
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Swaps a waiting question with the waiting one before it (`up`) or after it. At either end
/// nothing changes.
pub async fn move_question(tx: &mut UserTx, access: &CampaignAccess, id: Uuid, up: bool) -> Result<(), AppError> {
    lock_queue(tx, access).await?;
    let position = waiting_position(tx, access, id).await?;
    let neighbour = sqlx::query!(
        r#"SELECT id, position FROM campaign_questions
           WHERE campaign_id = $1 AND status = 'queued'
             AND CASE WHEN $3 THEN position < $2 ELSE position > $2 END
           ORDER BY CASE WHEN $3 THEN -position ELSE position END
           LIMIT 1"#,
        access.campaign_id(),
        position,
        up,
    )
    .fetch_optional(tx.conn())
    .await?;
    if let Some(other) = neighbour {
        sqlx::query!(
            "UPDATE campaign_questions SET position = CASE WHEN id = $2 THEN $4::int ELSE $3::int END WHERE campaign_id = $1 AND id IN ($2, $5)",
            access.campaign_id(),
            id,
            position,
            other.position,
            other.id,
        )
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

async fn waiting_position(tx: &mut UserTx, access: &CampaignAccess, id: Uuid) -> Result<i32, AppError> {
    let row = sqlx::query!(
        "SELECT position, status FROM campaign_questions WHERE campaign_id = $1 AND id = $2",
        access.campaign_id(),
        id
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if row.status != QuestionStatus::Queued.as_str() {
        return Err(AppError::Conflict("That question has already been asked or skipped.".into()));
    }
    Ok(row.position)
}

/// Takes a waiting question out of the queue without asking it (it stays listed as skipped).
pub async fn skip(tx: &mut UserTx, access: &CampaignAccess, id: Uuid) -> Result<(), AppError> {
    lock_queue(tx, access).await?;
    waiting_position(tx, access, id).await?;
    sqlx::query!(
        "UPDATE campaign_questions SET status = 'skipped', skipped_at = NOW() WHERE campaign_id = $1 AND id = $2",
        access.campaign_id(),
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes a question that was never sent; one that was asked stays, with its answer.
pub async fn remove(tx: &mut UserTx, access: &CampaignAccess, id: Uuid) -> Result<(), AppError> {
    lock_queue(tx, access).await?;
    let done = sqlx::query!(
        "DELETE FROM campaign_questions WHERE campaign_id = $1 AND id = $2 AND sent_at IS NULL AND status IN ('queued', 'skipped')",
        access.campaign_id(),
        id
    )
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        let exists = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM campaign_questions WHERE campaign_id = $1 AND id = $2"#,
            access.campaign_id(),
            id
        )
        .fetch_one(tx.conn())
        .await?;
        return Err(if exists == 0 {
            AppError::NotFound
        } else {
            AppError::Conflict("A question that was sent stays, with its answer.".into())
        });
    }
    Ok(())
}

/// The campaign's live storyteller link: its id (the token is derived from it), made now
/// with `new_id`/`new_hash` when there is none.
pub async fn storyteller_link(
    tx: &mut UserTx,
    access: &CampaignAccess,
    new_id: Uuid,
    new_hash: &[u8],
) -> Result<Uuid, AppError> {
    lock_queue(tx, access).await?;
    let live = sqlx::query_scalar!(
        "SELECT id FROM storyteller_links WHERE campaign_id = $1 AND replaced_at IS NULL",
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?;
    if let Some(id) = live {
        return Ok(id);
    }
    insert_link(tx, access, new_id, new_hash).await?;
    Ok(new_id)
}

/// Replaces the live link (if any) with a new one; the old link stops working at once.
pub async fn replace_storyteller_link(
    tx: &mut UserTx,
    access: &CampaignAccess,
    new_id: Uuid,
    new_hash: &[u8],
) -> Result<(), AppError> {
    lock_queue(tx, access).await?;
    sqlx::query!(
        "UPDATE storyteller_links SET replaced_at = NOW() WHERE campaign_id = $1 AND replaced_at IS NULL",
        access.campaign_id()
    )
    .execute(tx.conn())
    .await?;
    insert_link(tx, access, new_id, new_hash).await
}

async fn insert_link(tx: &mut UserTx, access: &CampaignAccess, id: Uuid, hash: &[u8]) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO storyteller_links (id, campaign_id, token_hash, created_by) VALUES ($1, $2, $3, $4)",
        id,
        access.campaign_id(),
        hash,
        access.user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A question just sent, for the email to the storyteller.
pub struct SentQuestion {
    pub id: Uuid,
    pub question: String,
    pub photo_id: Option<Uuid>,
    pub storyteller_email: Option<String>,
    pub storyteller_name: Option<String>,
    pub family: String,
}

/// Sends the first waiting question now; None when the queue is empty.
pub async fn send_next(tx: &mut UserTx, access: &CampaignAccess) -> Result<Option<SentQuestion>, AppError> {
    lock_queue(tx, access).await?;
    access.ensure_editable()?;
    let sent = sqlx::query!(
        r#"UPDATE campaign_questions SET status = 'sent', sent_at = NOW()
           WHERE id = (SELECT id FROM campaign_questions WHERE campaign_id = $1 AND status = 'queued'
                       ORDER BY position LIMIT 1)
           RETURNING id, question, photo_id"#,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?;
    let Some(sent) = sent else {
        return Ok(None);
    };
    let campaign = who_asks(tx, access).await?;
    Ok(Some(SentQuestion {
        id: sent.id,
        question: sent.question,
        photo_id: sent.photo_id,
        storyteller_email: campaign.storyteller_email,
        storyteller_name: campaign.storyteller_name,
        family: campaign.family,
    }))
}

/// The storyteller (address and name) and who asks: the member's name, else the campaign's title.
struct WhoAsks {
    storyteller_email: Option<String>,
    storyteller_name: Option<String>,
    family: String,
}

async fn who_asks(tx: &mut UserTx, access: &CampaignAccess) -> Result<WhoAsks, AppError> {
    Ok(sqlx::query_as!(
        WhoAsks,
        r#"SELECT nullif(btrim(c.storyteller_email), '') AS storyteller_email,
                  nullif(btrim(c.storyteller_name), '') AS storyteller_name,
                  coalesce(nullif(btrim(u.name), ''), c.title) AS "family!"
           FROM campaigns c LEFT JOIN users u ON u.id = $2 WHERE c.id = $1"#,
        access.campaign_id(),
        access.user_id()
    )
    .fetch_one(tx.conn())
    .await?)
}

/// The questions to print as cards, and who asks them.
pub struct CardQuestions {
    pub storyteller_name: Option<String>,
    pub family: String,
    /// (id, question, photo): every question sent and not yet answered, oldest first.
    pub open: Vec<(Uuid, String, Option<Uuid>)>,
}

/// Marks the next `more` queued questions sent (the cards are how they reach the
/// storyteller), then returns every open question, up to [`MAX_CARDS`].
pub async fn for_cards(tx: &mut UserTx, access: &CampaignAccess, more: u32) -> Result<CardQuestions, AppError> {
    lock_queue(tx, access).await?;
    for _ in 0..more {
        if send_next(tx, access).await?.is_none() {
            break;
        }
    }
    let open = sqlx::query!(
        r#"SELECT id, question, photo_id FROM campaign_questions
           WHERE campaign_id = $1 AND status = 'sent'
           ORDER BY sent_at, position LIMIT $2"#,
        access.campaign_id(),
        MAX_CARDS
    )
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .map(|r| (r.id, r.question, r.photo_id))
    .collect();
    let campaign = who_asks(tx, access).await?;
    Ok(CardQuestions { storyteller_name: campaign.storyteller_name, family: campaign.family, open })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_questions_category_is_a_suggested_one() {
        assert_eq!(parse_category("").unwrap(), "other");
        assert_eq!(parse_category("love").unwrap(), "love");
        assert!(parse_category("made up").unwrap_err().field("category").is_some());
    }
}
