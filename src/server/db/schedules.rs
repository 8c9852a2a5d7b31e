//! The weekly question's schedule: the owner's settings (as the member), and the
//! scheduler's sends and reminders (as the server, in one transaction each, so a question is
//! marked sent exactly when its email is queued).
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::questions::SentQuestion;
use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::question::QuestionSchedule;
use crate::server::authz::CampaignAccess;
use crate::server::mail::OutgoingMail;

/// The stored schedule, if any, with its next slot (UTC).
pub async fn get(
    tx: &mut UserTx,
    access: &CampaignAccess,
) -> Result<Option<(QuestionSchedule, Option<DateTime<Utc>>)>, AppError> {
    let row = sqlx::query!(
        r#"SELECT weekday, to_char(send_time, 'HH24:MI') AS "time!", time_zone, paused, reminder_days,
                  next_send_at AS "next_send_at: DateTime<Utc>"
           FROM question_schedules WHERE campaign_id = $1"#,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| {
        (
            QuestionSchedule {
                weekday: row.weekday as u8,
                time: row.time,
                time_zone: row.time_zone,
                paused: row.paused,
                reminder_days: row.reminder_days.map(|d| d as u8),
                next: None,
            },
            row.next_send_at,
        )
    }))
}

/// Saves the schedule and its next slot.
pub async fn save(
    tx: &mut UserTx,
    access: &CampaignAccess,
    schedule: &QuestionSchedule,
    next_send_at: DateTime<Utc>,
) -> Result<(), AppError> {
    access.ensure_may_manage_questions()?;
    access.ensure_editable()?;
    sqlx::query!(
        r#"INSERT INTO question_schedules (campaign_id, weekday, send_time, time_zone, paused, reminder_days, next_send_at, updated_by, updated_at)
           VALUES ($1, $2, $3::text::time, $4, $5, $6, $7::text::timestamptz, $8, NOW())
           ON CONFLICT (campaign_id) DO UPDATE SET weekday = $2, send_time = $3::text::time, time_zone = $4, paused = $5,
               reminder_days = $6, next_send_at = $7::text::timestamptz, updated_by = $8, updated_at = NOW()"#,
        access.campaign_id(),
        schedule.weekday as i16,
        schedule.time,
        schedule.time_zone,
        schedule.paused,
        schedule.reminder_days.map(i16::from),
        next_send_at.to_rfc3339(),
        access.user_id(),
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A slot that is due.
pub struct Due {
    pub campaign_id: Uuid,
    pub slot_at: DateTime<Utc>,
    pub weekday: i16,
    pub time: String,
    pub time_zone: String,
}

/// Every slot due at `now`, of campaigns that are not paused or archived.
pub async fn due(db: &Db, now: DateTime<Utc>) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as!(
        Due,
        r#"SELECT s.campaign_id, s.next_send_at AS "slot_at!: DateTime<Utc>", s.weekday,
                  to_char(s.send_time, 'HH24:MI') AS "time!", s.time_zone
           FROM question_schedules s JOIN campaigns c ON c.id = s.campaign_id
           WHERE NOT s.paused AND s.next_send_at <= $1::text::timestamptz AND coalesce(c.status, 'active') IN ('active', 'completed')
           ORDER BY s.next_send_at
           LIMIT 500"#,
        now.to_rfc3339()
    )
    .fetch_all(db.pool())
    .await
}

/// Handles one slot: claims it (a second loop finds it taken and does nothing), moves the
/// schedule to `next`, and sends the first waiting question with its email. Answers whether
/// a question went.
pub async fn deliver(
    db: &Db,
    campaign_id: Uuid,
    slot_at: DateTime<Utc>,
    next: DateTime<Utc>,
    now: DateTime<Utc>,
    make_mail: impl FnOnce(&SentQuestion, Uuid) -> Option<OutgoingMail>,
) -> Result<bool, sqlx::Error> {
    let (slot_at, next, now) = (slot_at.to_rfc3339(), next.to_rfc3339(), now.to_rfc3339());
    let mut tx = db.begin().await?;
    let claimed = sqlx::query_scalar!(
        "INSERT INTO question_deliveries (campaign_id, slot_at) VALUES ($1, $2::text::timestamptz)
         ON CONFLICT DO NOTHING RETURNING campaign_id",
        campaign_id,
        slot_at
    )
    .fetch_optional(&mut *tx)
    .await?;
    if claimed.is_none() {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE question_schedules SET next_send_at = $3::text::timestamptz
         WHERE campaign_id = $1 AND next_send_at = $2::text::timestamptz",
        campaign_id,
        slot_at,
        next
    )
    .execute(&mut *tx)
    .await?;
    // The same lock as a member's change to the queue (db::questions).
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended('questions:' || $1::uuid::text, 0))", campaign_id)
        .fetch_one(&mut *tx)
        .await?;
    let sent = sqlx::query!(
        r#"UPDATE campaign_questions SET status = 'sent', sent_at = $2::text::timestamptz
           WHERE id = (SELECT id FROM campaign_questions WHERE campaign_id = $1 AND status = 'queued'
                       ORDER BY position LIMIT 1)
           RETURNING id, question, photo_id"#,
        campaign_id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(sent) = sent else {
        tx.commit().await?;
        return Ok(false);
    };
    sqlx::query!(
        "UPDATE question_deliveries SET question_id = $3 WHERE campaign_id = $1 AND slot_at = $2::text::timestamptz",
        campaign_id,
        slot_at,
        sent.id
    )
    .execute(&mut *tx)
    .await?;
    if let Some((question, link_id)) =
        to_storyteller(&mut tx, campaign_id, sent.id, sent.question, sent.photo_id).await?
    {
        if let Some(mail) = make_mail(&question, link_id) {
            queue(&mut tx, &mail).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// One gentle reminder for each question sent at least the schedule's reminder days ago and
/// still unanswered. `reminded_at` is set in the statement that picks them, so a question is
/// never reminded twice, however many loops run. Returns how many were queued.
pub async fn remind(
    db: &Db,
    now: DateTime<Utc>,
    make_mail: impl Fn(&SentQuestion, Uuid) -> Option<OutgoingMail>,
) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let due = sqlx::query!(
        r#"UPDATE campaign_questions q SET reminded_at = $1::text::timestamptz
           FROM question_schedules s
           WHERE s.campaign_id = q.campaign_id AND s.reminder_days IS NOT NULL AND NOT s.paused
             AND q.status = 'sent' AND q.reminded_at IS NULL
             AND q.sent_at <= $1::text::timestamptz - make_interval(days => s.reminder_days::int)
           RETURNING q.id, q.campaign_id, q.question, q.photo_id"#,
        now.to_rfc3339()
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut queued = 0;
    for row in due {
        if let Some((question, link_id)) =
            to_storyteller(&mut tx, row.campaign_id, row.id, row.question, row.photo_id).await?
        {
            if let Some(mail) = make_mail(&question, link_id) {
                queue(&mut tx, &mail).await?;
                queued += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// The storyteller's address and name, the family's name and the live link, for an email
/// about `question_id`; None when the campaign has no live link yet (the owner makes it).
async fn to_storyteller(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    question_id: Uuid,
    question: String,
    photo_id: Option<Uuid>,
) -> Result<Option<(SentQuestion, Uuid)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT nullif(btrim(c.storyteller_email), '') AS storyteller_email,
                  nullif(btrim(c.storyteller_name), '') AS storyteller_name,
                  coalesce((SELECT nullif(btrim(u.name), '') FROM family_members fm JOIN users u ON u.id = fm.user_id
                            WHERE fm.campaign_id = c.id AND fm.role = 'owner' AND fm.status = 'active'
                            ORDER BY fm.created_at LIMIT 1), c.title) AS "family!",
                  (SELECT l.id FROM storyteller_links l WHERE l.campaign_id = c.id AND l.replaced_at IS NULL) AS link_id
           FROM campaigns c WHERE c.id = $1"#,
        campaign_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.link_id.map(|link_id| {
        (
            SentQuestion {
                id: question_id,
                question,
                photo_id,
                storyteller_email: row.storyteller_email,
                storyteller_name: row.storyteller_name,
                family: row.family,
            },
            link_id,
        )
    }))
}

async fn queue(conn: &mut PgConnection, mail: &OutgoingMail) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(mail).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query!("INSERT INTO jobs (kind, payload, max_attempts) VALUES ('mail', $1, 12)", payload)
        .execute(conn)
        .await?;
    Ok(())
}
