//! Deleting an account: what it will do (for the page that asks), the request with its
//! seven days of grace, cancelling it by logging in, and the deletion itself, in one
//! transaction that also queues the removal of the media files.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::account::{DeletionPreview, ElsewhereCampaign, OwnedCampaign, DELETION_GRACE_DAYS};
use crate::server::keys;

pub const DELETE_ACCOUNT_JOB: &str = "delete_account";
pub const DELETE_MEDIA_JOB: &str = "delete_media";

/// Exactly what deleting this account would do, as the person sees it.
pub async fn preview(tx: &mut UserTx) -> Result<DeletionPreview, AppError> {
    let owned = sqlx::query!(
        r#"SELECT c.id, c.title,
                  (SELECT count(*) FROM stories s WHERE s.campaign_id = c.id) AS "stories!",
                  (SELECT count(*) FROM family_members fm
                   WHERE fm.campaign_id = c.id AND fm.user_id IS DISTINCT FROM c.user_id AND fm.status = 'active') AS "others!"
           FROM campaigns c WHERE c.user_id = auth.uid() ORDER BY c.created_at, c.id"#
    )
    .fetch_all(tx.conn())
    .await?;
    let elsewhere = sqlx::query!(
        r#"SELECT c.title,
                  (SELECT count(*) FROM stories s WHERE s.campaign_id = c.id AND s.created_by = auth.uid()) AS "stories!"
           FROM family_members fm JOIN campaigns c ON c.id = fm.campaign_id
           WHERE fm.user_id = auth.uid() AND c.user_id <> auth.uid() ORDER BY c.title"#
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(DeletionPreview {
        owned: owned
            .into_iter()
            .map(|r| OwnedCampaign { id: r.id, title: r.title, stories: r.stories, other_members: r.others })
            .collect(),
        elsewhere: elsewhere.into_iter().map(|r| ElsewhereCampaign { title: r.title, stories: r.stories }).collect(),
        signed_in_by_link: false,
    })
}

/// Starts the grace period: the account stops working now (every session ends) and is
/// deleted when it is over, unless the person logs in before. Returns when.
pub async fn request(db: &Db, user_id: Uuid) -> Result<DateTime<Utc>, AppError> {
    let mut tx = db.begin().await?;
    let after = sqlx::query_scalar!(
        r#"UPDATE users SET deletion_requested_at = now(), delete_after = now() + make_interval(days => $2::int)
           WHERE id = $1 RETURNING delete_after AS "after!: DateTime<Utc>""#,
        user_id,
        DELETION_GRACE_DAYS as i32
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO jobs (kind, payload, max_attempts, run_at)
         SELECT $1, jsonb_build_object('user_id', $2::uuid), 20, delete_after FROM users WHERE id = $2",
        DELETE_ACCOUNT_JOB,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Logging in during the grace period keeps the account; true when a deletion was cancelled.
pub async fn cancel(db: &Db, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let cancelled = sqlx::query_scalar!(
        r#"UPDATE users SET deletion_requested_at = NULL, delete_after = NULL
           WHERE id = $1 AND delete_after IS NOT NULL RETURNING id"#,
        user_id
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(cancelled.is_some())
}

/// Deletes the account if its grace period is over (and was not cancelled), in one
/// transaction; the media files of its campaigns and exports are removed by a job queued in
/// the same transaction. Returns whether it deleted.
///
/// Its own campaigns go with everything in them; stories it wrote in other families'
/// campaigns stay, by "a former member", as do photos it added and books it designed there
/// (now the campaign owner's); comments stay unsigned; orders stay as financial records with
/// only the country of the address.
pub async fn delete_if_due(db: &Db, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let due =
        sqlx::query_scalar!(r#"SELECT id FROM users WHERE id = $1 AND delete_after <= now() FOR UPDATE"#, user_id)
            .fetch_optional(&mut *tx)
            .await?;
    if due.is_none() {
        return Ok(false);
    }
    let owned = sqlx::query_scalar!("SELECT id FROM campaigns WHERE user_id = $1", user_id).fetch_all(&mut *tx).await?;
    sqlx::query!(
        r#"UPDATE book_orders
           SET user_id = NULL, contact_email = NULL,
               shipping_address = jsonb_strip_nulls(jsonb_build_object('country', shipping_address->'country'))
           WHERE user_id = $1 OR book_id IN (SELECT b.id FROM books b WHERE b.campaign_id = ANY($2))"#,
        user_id,
        &owned
    )
    .execute(&mut *tx)
    .await?;
    // What it added to other families stays with them.
    sqlx::query!(
        r#"UPDATE photos p SET user_id = c.user_id FROM campaigns c
           WHERE p.campaign_id = c.id AND p.user_id = $1 AND c.user_id <> $1"#,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"UPDATE books b SET user_id = c.user_id FROM campaigns c
           WHERE b.campaign_id = c.id AND b.user_id = $1 AND c.user_id <> $1"#,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE stories SET created_by = NULL, author_left_at = now() WHERE created_by = $1", user_id)
        .execute(&mut *tx)
        .await?;
    // Its own campaigns, with everything in them (photos are detached by the seed's SET NULL,
    // so they go first).
    sqlx::query!(
        "DELETE FROM photos WHERE campaign_id = ANY($1) OR (user_id = $2 AND campaign_id IS NULL)",
        &owned,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM campaigns WHERE id = ANY($1)", &owned).execute(&mut *tx).await?;
    sqlx::query!("DELETE FROM family_members WHERE user_id = $1", user_id).execute(&mut *tx).await?;
    // The profile and credentials; tokens, hearts and exports go with them.
    sqlx::query!("DELETE FROM auth.users WHERE id = $1", user_id).execute(&mut *tx).await?;
    let mut prefixes: Vec<String> = owned.iter().map(|id| keys::campaign_prefix(*id)).collect();
    prefixes.push(keys::exports_prefix(user_id));
    prefixes.push(keys::avatars_prefix(user_id));
    sqlx::query!(
        "INSERT INTO jobs (kind, payload, max_attempts) VALUES ($1, jsonb_build_object('prefixes', $2::text[]), 50)",
        DELETE_MEDIA_JOB,
        &prefixes
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
