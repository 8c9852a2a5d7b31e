//! The storyteller's link: finding it from its token (as the server), and everything its
//! page reads and writes, as Postgres role `storyteller` confined to the link's campaign by
//! row-level security (migration 22). The owner's side (showing, replacing the link, sending
//! a question) is in `db::questions`.
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use super::{Db, USER_STATEMENT_TIMEOUT};
use crate::error::AppError;
use crate::model::question::QuestionStatus;
use crate::model::storyteller::{title_from_question, AnswerText, AskedQuestion, GivenAnswer, StorytellerView};
use crate::urls;

/// Longer than any token we make: refused before hashing.
const MAX_TOKEN_CHARS: usize = 64;

/// What's stored of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A live storyteller link whose token matched. Only [`find`] makes one, and a
/// [`StorytellerTx`] takes nothing else.
#[derive(Clone, Debug)]
pub struct StorytellerLink {
    campaign_id: Uuid,
    token: String,
}

impl StorytellerLink {
    pub fn campaign_id(&self) -> Uuid {
        self.campaign_id
    }

    pub fn token(&self) -> &str {
        &self.token
    }
}

pub enum Found {
    Live(StorytellerLink),
    /// Replaced by the owner: whom to ask for the new one.
    Replaced {
        ask: String,
    },
    Unknown,
}

/// The link behind `token`, as the server (the visitor has no account to act as).
pub async fn find(db: &Db, token: &str) -> Result<Found, sqlx::Error> {
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Ok(Found::Unknown);
    }
    let row = sqlx::query!(
        r#"SELECT l.campaign_id, l.replaced_at IS NOT NULL AS "replaced!",
                  (SELECT nullif(btrim(u.name), '') FROM family_members fm JOIN users u ON u.id = fm.user_id
                   WHERE fm.campaign_id = l.campaign_id AND fm.role = 'owner' AND fm.status = 'active'
                   ORDER BY fm.created_at LIMIT 1) AS owner_name
           FROM storyteller_links l WHERE l.token_hash = $1"#,
        token_hash(token)
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        None => Found::Unknown,
        Some(row) if row.replaced => Found::Replaced { ask: row.owner_name.unwrap_or_else(|| "your family".into()) },
        Some(row) => Found::Live(StorytellerLink { campaign_id: row.campaign_id, token: token.to_owned() }),
    })
}

/// A transaction running as role `storyteller` for one link's campaign.
pub struct StorytellerTx {
    tx: Transaction<'static, Postgres>,
}

impl StorytellerTx {
    pub async fn begin(db: &Db, link: &StorytellerLink) -> Result<Self, sqlx::Error> {
        let mut tx = db.begin().await?;
        sqlx::query!(
            r#"SELECT set_config('role', 'storyteller', true) AS "role!",
                      set_config('app.storyteller_campaign', $1, true) AS "campaign!",
                      set_config('statement_timeout', $2, true) AS "timeout!""#,
            link.campaign_id.to_string(),
            USER_STATEMENT_TIMEOUT,
        )
        .fetch_one(&mut *tx)
        .await?;
        Ok(StorytellerTx { tx })
    }

    fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

/// The page: the question asked for (`wanted`, when it was sent to them), else the newest
/// one not yet answered or skipped; and every other question sent, newest first.
pub async fn page(
    tx: &mut StorytellerTx,
    link: &StorytellerLink,
    wanted: Option<Uuid>,
) -> Result<StorytellerView, AppError> {
    let campaign = sqlx::query!("SELECT title, storyteller_name FROM campaigns WHERE id = storyteller_campaign()")
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = sqlx::query!(
        r#"SELECT q.id, q.question, q.status, q.photo_id, s.content AS "content?", s.audio_url AS "audio_url?"
           FROM campaign_questions q LEFT JOIN stories s ON s.id = q.story_id
           WHERE q.campaign_id = storyteller_campaign()
           ORDER BY q.sent_at DESC NULLS LAST, q.position DESC"#
    )
    .fetch_all(tx.conn())
    .await?;
    let mut asked: Vec<AskedQuestion> = rows
        .into_iter()
        .map(|row| {
            let status = QuestionStatus::parse(&row.status).unwrap_or(QuestionStatus::Sent);
            AskedQuestion {
                id: row.id,
                question: row.question,
                status,
                photo_url: row.photo_id.map(|photo| urls::storyteller_photo(link.token(), photo)),
                answer: (status == QuestionStatus::Answered)
                    .then(|| GivenAnswer { text: row.content.unwrap_or_default(), recorded: row.audio_url.is_some() }),
            }
        })
        .collect();
    let open = |q: &AskedQuestion| q.status == QuestionStatus::Sent;
    let current = wanted
        .and_then(|id| asked.iter().position(|q| q.id == id && open(q)))
        .or_else(|| asked.iter().position(open))
        .map(|at| asked.remove(at));
    Ok(StorytellerView {
        campaign_title: campaign.title,
        storyteller_name: campaign.storyteller_name.filter(|n| !n.trim().is_empty()),
        current,
        earlier: asked,
    })
}

/// A recording already stored, for the story an answer makes.
pub struct AnswerAudio {
    pub key: String,
    pub mime: String,
    pub duration_seconds: i32,
    pub size_bytes: i64,
}

pub enum Answered {
    /// The new story.
    Story(Uuid),
    /// The question had already been answered (a resend after a lost reply): nothing new.
    Already,
}

/// Answers a question that was sent to them: a completed story titled with the question,
/// in its category, remembering the question and its library prompt, placed last; the
/// question is marked answered. The family's email and any transcription are queued in the
/// same transaction. `story_id` is chosen by the caller (a recording is stored under it first).
pub async fn answer(
    tx: &mut StorytellerTx,
    link: &StorytellerLink,
    question_id: Uuid,
    story_id: Uuid,
    text: Option<&AnswerText>,
    audio: Option<&AnswerAudio>,
    transcribe: bool,
) -> Result<Answered, AppError> {
    // Locked while it is answered: a second send of the same answer waits, then finds it
    // answered and adds nothing.
    let question = sqlx::query!(
        "SELECT question, category, prompt_id FROM campaign_questions
         WHERE id = $1 AND campaign_id = storyteller_campaign() AND status = 'sent' FOR UPDATE",
        question_id
    )
    .fetch_optional(tx.conn())
    .await?;
    let Some(question) = question else {
        let status = sqlx::query_scalar!(
            "SELECT status FROM campaign_questions WHERE id = $1 AND campaign_id = storyteller_campaign()",
            question_id
        )
        .fetch_optional(tx.conn())
        .await?;
        return match status.as_deref().and_then(QuestionStatus::parse) {
            None => Err(AppError::NotFound),
            Some(QuestionStatus::Answered) => Ok(Answered::Already),
            Some(_) => Err(AppError::Conflict(
                "This question was set aside, so it can't be answered any more. Thank you all the same!".into(),
            )),
        };
    };
    sqlx::query!(
        r#"INSERT INTO stories (id, campaign_id, title, content, category, status, completed_at, story_order,
                               question_id, prompt_id, audio_url, audio_mime, audio_duration, audio_size_bytes, metadata)
           VALUES ($1, storyteller_campaign(), $2, $3, $4, 'completed', NOW(), storyteller_next_story_order(),
                   $5, $6, $7, $8, $9, $10,
                   CASE WHEN $11::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('audio_key', $11::text) END)"#,
        story_id,
        title_from_question(&question.question),
        text.map(AnswerText::as_str).unwrap_or_default(),
        question.category,
        question_id,
        question.prompt_id,
        audio.map(|_| urls::story_audio(link.campaign_id(), story_id)),
        audio.map(|a| a.mime.clone()),
        audio.map(|a| a.duration_seconds),
        audio.map(|a| a.size_bytes),
        audio.map(|a| a.key.clone()),
    )
    .execute(tx.conn())
    .await?;
    sqlx::query!(
        "UPDATE campaign_questions SET status = 'answered', answered_at = NOW(), story_id = $2 WHERE id = $1",
        question_id,
        story_id
    )
    .execute(tx.conn())
    .await?;
    if audio.is_some() && transcribe {
        sqlx::query_scalar!("SELECT enqueue_transcription($1)", story_id).fetch_one(tx.conn()).await?;
    }
    sqlx::query_scalar!("SELECT enqueue_answer_notice($1)", story_id).fetch_one(tx.conn()).await?;
    Ok(Answered::Story(story_id))
}

/// The storyteller sets a sent question aside; the family sees it was skipped.
pub async fn skip(tx: &mut StorytellerTx, question_id: Uuid) -> Result<(), AppError> {
    let skipped = sqlx::query!(
        "UPDATE campaign_questions SET status = 'skipped', skipped_at = NOW()
         WHERE id = $1 AND campaign_id = storyteller_campaign() AND status = 'sent'",
        question_id
    )
    .execute(tx.conn())
    .await?;
    if skipped.rows_affected() == 0 {
        let exists = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM campaign_questions WHERE id = $1 AND campaign_id = storyteller_campaign()"#,
            question_id
        )
        .fetch_one(tx.conn())
        .await?;
        if exists == 0 {
            return Err(AppError::NotFound);
        }
    }
    Ok(())
}

/// Whether `photo_id` is the photo of a question sent to them (else they may not see it).
pub async fn require_photo(tx: &mut StorytellerTx, photo_id: Uuid) -> Result<(), AppError> {
    let n = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM photos WHERE id = $1"#, photo_id)
        .fetch_one(tx.conn())
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The new story an answer made, for the family's email: read as the server, from the job
/// the storyteller's transaction queued.
pub struct AnswerNotice {
    pub campaign_id: Uuid,
    pub campaign: String,
    pub storyteller: Option<String>,
    pub title: String,
    pub content: String,
    pub readers: Vec<(Uuid, String)>,
}

pub async fn answer_notice(db: &Db, story_id: Uuid) -> Result<Option<AnswerNotice>, sqlx::Error> {
    let Some(story) = sqlx::query!(
        r#"SELECT s.campaign_id, c.title AS campaign, nullif(btrim(c.storyteller_name), '') AS storyteller,
                  s.title, coalesce(s.content, '') AS "content!"
           FROM stories s JOIN campaigns c ON c.id = s.campaign_id WHERE s.id = $1"#,
        story_id
    )
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let readers = sqlx::query!(
        r#"SELECT DISTINCT u.id, u.email FROM family_members fm JOIN users u ON u.id = fm.user_id
           WHERE fm.campaign_id = $1 AND fm.status = 'active' AND u.delete_after IS NULL
             AND coalesce(u.preferences->>'story_emails', 'every') = 'every'"#,
        story.campaign_id
    )
    .fetch_all(db.pool())
    .await?;
    Ok(Some(AnswerNotice {
        campaign_id: story.campaign_id,
        campaign: story.campaign,
        storyteller: story.storyteller,
        title: story.title,
        content: story.content,
        readers: readers.into_iter().map(|r| (r.id, r.email)).collect(),
    }))
}
