//! Printed-book orders. Members read their own orders and histories under RLS; every write
//! (placing, each change of status with its history line and email) is one server
//! transaction, after the caller was authorized.
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Db, UserTx};
use crate::error::AppError;
use crate::model::book::{BookDesign, BookStatus, TrimSize};
use crate::model::order::{
    Actor, OrderDetail, OrderEvent, OrderStatus, OrderSummary, PrintOptions, Quote, ShippingAddress,
};
use crate::server::authz::CampaignAccess;
use crate::server::orders::price::money;
use crate::server::orders::providers::LULU;

/// The job that sends an order to Lulu ([`crate::server::orders::fulfil`]); its payload is
/// `{"order_id": …}`.
pub const SUBMIT_PRINT_JOB: &str = "submit_print_job";
/// Retried with backoff (10 s, doubling to an hour between tries): about 11 hours of Lulu
/// being unreachable before the job gives up and the order waits for staff.
const SUBMIT_PRINT_ATTEMPTS: i32 = 20;

fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "an order row could not be read");
    AppError::Internal
}

/// The book as it would print now.
pub struct OrderableBook {
    pub title: String,
    pub status: BookStatus,
    pub page_count: i32,
    pub design: BookDesign,
    pub design_version: i32,
    pub render_id: Option<Uuid>,
    pub render_current: bool,
}

pub async fn book(tx: &mut UserTx, access: &CampaignAccess, book_id: Uuid) -> Result<OrderableBook, AppError> {
    let r = sqlx::query!(
        r#"SELECT title, status, page_count, design_data, design_version, render_id,
                  (render_status = 'done' AND rendered_version = design_version) AS "render_current!"
           FROM books WHERE id = $1 AND campaign_id = $2"#,
        book_id,
        access.campaign_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(OrderableBook {
        title: r.title,
        status: BookStatus::parse(&r.status).unwrap_or(BookStatus::Draft),
        page_count: r.page_count,
        design: serde_json::from_value(r.design_data).map_err(internal)?,
        design_version: r.design_version,
        render_id: r.render_id,
        render_current: r.render_current,
    })
}

/// The person's address book, most recently used first.
pub async fn saved_addresses(tx: &mut UserTx) -> Result<Vec<ShippingAddress>, AppError> {
    Ok(sqlx::query_as!(
        ShippingAddress,
        "SELECT name, line1, line2, city, state, postal_code, country, phone FROM addresses
         WHERE user_id = auth.uid() ORDER BY last_used_at DESC LIMIT 10"
    )
    .fetch_all(tx.conn())
    .await?)
}

/// The order an idempotency key already made, and whose it is.
pub async fn by_key(db: &Db, key: Uuid) -> Result<Option<(Uuid, Option<Uuid>)>, AppError> {
    Ok(sqlx::query!("SELECT id, user_id FROM book_orders WHERE idempotency_key = $1", key)
        .fetch_optional(db.pool())
        .await?
        .map(|r| (r.id, r.user_id)))
}

pub struct NewOrder {
    pub id: Uuid,
    pub idempotency_key: Uuid,
    pub order_number: String,
    pub user_id: Uuid,
    pub campaign_id: Uuid,
    pub book_id: Uuid,
    pub book_title: String,
    pub page_count: i32,
    pub design_version: i32,
    pub options: PrintOptions,
    /// The book's page size when ordered: kept with the options (`book_options.trim`), since
    /// the printer's product depends on it and the book may change or go.
    pub trim: TrimSize,
    pub address: ShippingAddress,
    /// Where the order's emails go: none for an account whose address is not confirmed.
    pub contact_email: Option<String>,
    pub unit_price: Decimal,
    pub total_price: Decimal,
    pub currency: String,
    pub quote: Quote,
    pub provider: &'static str,
}

/// Places the order: the row, its first history line, the address saved, the book marked
/// ordered, the confirmation mail and (for Lulu) the job that sends it to print, all or
/// nothing. `None` when the key was used meanwhile (a double click that lost the race).
pub async fn place(db: &Db, order: &NewOrder, mail: Option<Value>) -> Result<Option<Uuid>, AppError> {
    let mut tx = db.begin().await?;
    let mut options = serde_json::to_value(order.options).map_err(internal)?;
    options["trim"] = serde_json::to_value(order.trim).map_err(internal)?;
    let address = serde_json::to_value(&order.address).map_err(internal)?;
    let lines = serde_json::to_value(&order.quote.lines).map_err(internal)?;
    let placed = sqlx::query_scalar!(
        r#"INSERT INTO book_orders (id, idempotency_key, order_number, user_id, campaign_id, book_id, book_title,
               page_count, design_version, quantity, book_options, shipping_address, contact_email,
               unit_price, total_price, currency, price_lines, provider, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'pending')
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"#,
        order.id,
        order.idempotency_key,
        order.order_number,
        order.user_id,
        order.campaign_id,
        order.book_id,
        order.book_title,
        order.page_count,
        order.design_version,
        order.options.quantity,
        options,
        address,
        order.contact_email,
        order.unit_price,
        order.total_price,
        order.currency,
        lines,
        order.provider
    )
    .fetch_optional(&mut *tx)
    .await?;
    if placed.is_none() {
        return Ok(None);
    }
    event(&mut tx, order.id, Actor::Customer, Some(order.user_id), None, OrderStatus::Pending, None).await?;
    let a = &order.address;
    sqlx::query!(
        "INSERT INTO addresses (user_id, name, line1, line2, city, state, postal_code, country, phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (user_id, name, line1, line2, city, state, postal_code, country, phone)
         DO UPDATE SET last_used_at = NOW()",
        order.user_id,
        a.name,
        a.line1,
        a.line2,
        a.city,
        a.state,
        a.postal_code,
        a.country,
        a.phone
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE books SET status = 'ordered', updated_at = NOW() WHERE id = $1 AND status = 'ready_to_order'",
        order.book_id
    )
    .execute(&mut *tx)
    .await?;
    if let Some(mail) = mail {
        queue_mail(&mut tx, mail).await?;
    }
    if order.provider == LULU {
        sqlx::query!(
            "INSERT INTO jobs (kind, payload, max_attempts) VALUES ($1, $2, $3)",
            SUBMIT_PRINT_JOB,
            serde_json::json!({ "order_id": order.id }),
            SUBMIT_PRINT_ATTEMPTS
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(placed)
}

async fn queue_mail(conn: &mut PgConnection, mail: Value) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO jobs (kind, payload, max_attempts) VALUES ('mail', $1, 12)", mail).execute(conn).await?;
    Ok(())
}

async fn event(
    conn: &mut PgConnection,
    order_id: Uuid,
    actor: Actor,
    actor_user_id: Option<Uuid>,
    from: Option<OrderStatus>,
    to: OrderStatus,
    note: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO order_events (order_id, actor, actor_user_id, from_status, to_status, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
        order_id,
        actor.as_str(),
        actor_user_id,
        from.map(OrderStatus::as_str),
        to.as_str(),
        note
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What a change of status records besides the status.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub note: Option<String>,
    pub tracking_number: Option<String>,
    pub carrier: Option<String>,
    pub tracking_url: Option<String>,
    pub estimated_delivery: Option<NaiveDate>,
}

/// Who changes an order.
#[derive(Debug, Clone, Copy)]
pub struct By {
    pub actor: Actor,
    pub user_id: Option<Uuid>,
}

impl By {
    /// The person who placed the order: anyone else's is not found.
    pub fn customer(user_id: Uuid) -> Self {
        By { actor: Actor::Customer, user_id: Some(user_id) }
    }

    pub fn staff(user_id: Uuid) -> Self {
        By { actor: Actor::Staff, user_id: Some(user_id) }
    }
}

/// Moves an order to `to` if the state machine allows `by` to, with its history line and
/// the email `mail` makes from the changed order, in one transaction.
pub async fn transition(
    db: &Db,
    order_id: Uuid,
    to: OrderStatus,
    by: By,
    change: &Change,
    mail: impl FnOnce(&OrderDetail) -> Option<Value>,
) -> Result<OrderDetail, AppError> {
    let mut tx = db.begin().await?;
    let current = sqlx::query!("SELECT status, user_id, book_id FROM book_orders WHERE id = $1 FOR UPDATE", order_id)
        .fetch_optional(&mut *tx)
        .await?
        .filter(|r| by.actor != Actor::Customer || r.user_id == by.user_id)
        .ok_or(AppError::NotFound)?;
    let from = OrderStatus::parse(&current.status).ok_or_else(|| internal("unknown order status"))?;
    from.check(to, by.actor).map_err(AppError::Conflict)?;
    let cancel_reason = (to == OrderStatus::Cancelled).then(|| change.note.clone()).flatten();
    sqlx::query!(
        r#"UPDATE book_orders SET status = $2, updated_at = NOW(),
               shipped_at = CASE WHEN $2 = 'shipped' THEN NOW() ELSE shipped_at END,
               delivered_at = CASE WHEN $2 = 'delivered' THEN NOW() ELSE delivered_at END,
               tracking_number = coalesce($3, tracking_number),
               carrier = coalesce($4, carrier),
               tracking_url = coalesce($5, tracking_url),
               estimated_delivery = coalesce($6::text::date, estimated_delivery),
               cancel_reason = coalesce($7, cancel_reason)
           WHERE id = $1"#,
        order_id,
        to.as_str(),
        change.tracking_number,
        change.carrier,
        change.tracking_url,
        change.estimated_delivery.map(|d| d.to_string()),
        cancel_reason
    )
    .execute(&mut *tx)
    .await?;
    event(&mut tx, order_id, by.actor, by.user_id, Some(from), to, change.note.as_deref()).await?;
    if to == OrderStatus::Delivered {
        if let Some(book_id) = current.book_id {
            sqlx::query!("UPDATE books SET status = 'completed', updated_at = NOW() WHERE id = $1", book_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let detail = detail(&mut tx, order_id).await?.ok_or(AppError::NotFound)?;
    if let Some(mail) = mail(&detail) {
        queue_mail(&mut tx, mail).await?;
    }
    tx.commit().await?;
    Ok(detail)
}

/// Orders, newest first: under RLS (a member's transaction) one's own; on the server's
/// connection (staff), every one, optionally of one status.
pub async fn summaries(conn: &mut PgConnection, status: Option<OrderStatus>) -> Result<Vec<OrderSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, coalesce(order_number, '') AS "order_number!", coalesce(book_title, 'A book') AS "book_title!",
                  quantity, status, total_price, currency, ordered_at AS "ordered_at!: DateTime<Utc>"
           FROM book_orders WHERE ($1::text IS NULL OR status = $1) ORDER BY ordered_at DESC LIMIT 500"#,
        status.map(OrderStatus::as_str)
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OrderSummary {
            id: r.id,
            order_number: r.order_number,
            book_title: r.book_title,
            quantity: r.quantity,
            status: OrderStatus::parse(&r.status).unwrap_or_default(),
            total: money(r.total_price.unwrap_or_default(), &r.currency),
            ordered_at: r.ordered_at,
        })
        .collect())
}

pub async fn mine(tx: &mut UserTx) -> Result<Vec<OrderSummary>, AppError> {
    summaries(tx.conn(), None).await
}

pub async fn all(db: &Db, status: Option<OrderStatus>) -> Result<Vec<OrderSummary>, AppError> {
    summaries(&mut *db.pool().acquire().await?, status).await
}

/// One order with its history; RLS decides whether a member's transaction sees it.
pub async fn detail(conn: &mut PgConnection, order_id: Uuid) -> Result<Option<OrderDetail>, AppError> {
    let Some(r) = sqlx::query!(
        r#"SELECT id, coalesce(order_number, '') AS "order_number!", coalesce(book_title, 'A book') AS "book_title!",
                  quantity, status, total_price, currency, ordered_at AS "ordered_at!: DateTime<Utc>",
                  campaign_id, book_id, book_options, shipping_address, price_lines, tracking_number, carrier,
                  tracking_url, estimated_delivery AS "estimated_delivery: NaiveDate", contact_email,
                  (provider = 'lulu' AND status = 'pending' AND provider_job_id IS NULL) AS "waiting_for_printer!"
           FROM book_orders WHERE id = $1"#,
        order_id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let events = sqlx::query!(
        r#"SELECT actor, from_status, to_status, note, created_at AS "created_at!: DateTime<Utc>"
           FROM order_events WHERE order_id = $1 ORDER BY id"#,
        order_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|e| OrderEvent {
        actor: Actor::parse(&e.actor).unwrap_or(Actor::System),
        from: e.from_status.as_deref().and_then(OrderStatus::parse),
        to: OrderStatus::parse(&e.to_status).unwrap_or_default(),
        note: e.note,
        at: e.created_at,
    })
    .collect();
    let status = OrderStatus::parse(&r.status).unwrap_or_default();
    let total = money(r.total_price.unwrap_or_default(), &r.currency);
    Ok(Some(OrderDetail {
        summary: OrderSummary {
            id: r.id,
            order_number: r.order_number,
            book_title: r.book_title,
            quantity: r.quantity,
            status,
            total: total.clone(),
            ordered_at: r.ordered_at,
        },
        campaign_id: r.campaign_id,
        book_id: r.book_id,
        options: serde_json::from_value(r.book_options).unwrap_or_default(),
        address: serde_json::from_value(r.shipping_address).unwrap_or_default(),
        price: Quote { lines: serde_json::from_value(r.price_lines).unwrap_or_default(), total, currency: r.currency },
        tracking_number: r.tracking_number,
        carrier: r.carrier,
        tracking_url: r.tracking_url,
        estimated_delivery: r.estimated_delivery,
        events,
        interior_url: crate::urls::order_file(r.id, "interior.pdf"),
        cover_url: crate::urls::order_file(r.id, "cover.pdf"),
        contact_email: r.contact_email,
        may_cancel: status == OrderStatus::Pending,
        waiting_for_printer: r.waiting_for_printer,
    }))
}

pub async fn my_order(tx: &mut UserTx, order_id: Uuid) -> Result<OrderDetail, AppError> {
    detail(tx.conn(), order_id).await?.ok_or(AppError::NotFound)
}

pub async fn any_order(db: &Db, order_id: Uuid) -> Result<OrderDetail, AppError> {
    detail(&mut *db.pool().acquire().await?, order_id).await?.ok_or(AppError::NotFound)
}

/// Whether the person runs the fulfilment console.
pub async fn is_staff(db: &Db, user_id: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!("SELECT is_staff FROM users WHERE id = $1", user_id)
        .fetch_optional(db.pool())
        .await?
        .unwrap_or(false))
}

/// What sending an order to the printer needs.
#[derive(Debug, Clone)]
pub struct PrintOrder {
    pub id: Uuid,
    pub order_number: String,
    pub status: OrderStatus,
    pub provider: String,
    pub provider_job_id: Option<String>,
    pub book_title: String,
    pub page_count: Option<i32>,
    /// `None` if the stored options can't be read.
    pub options: Option<PrintOptions>,
    /// Kept with the order's options; for an order placed before it was, the book's own.
    pub trim: Option<TrimSize>,
    pub address: ShippingAddress,
    pub contact_email: Option<String>,
}

pub async fn print_order(db: &Db, order_id: Uuid) -> Result<Option<PrintOrder>, AppError> {
    let Some(r) = sqlx::query!(
        r#"SELECT o.id, coalesce(o.order_number, '') AS "order_number!", o.status, o.provider, o.provider_job_id,
                  coalesce(o.book_title, 'A book') AS "book_title!", o.page_count, o.book_options,
                  o.shipping_address, o.contact_email,
                  coalesce(o.book_options->>'trim', b.design_data->>'trim') AS trim
           FROM book_orders o LEFT JOIN books b ON b.id = o.book_id WHERE o.id = $1"#,
        order_id
    )
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(PrintOrder {
        id: r.id,
        order_number: r.order_number,
        status: OrderStatus::parse(&r.status).ok_or_else(|| internal("unknown order status"))?,
        provider: r.provider,
        provider_job_id: r.provider_job_id,
        book_title: r.book_title,
        page_count: r.page_count,
        options: serde_json::from_value(r.book_options).ok(),
        trim: r.trim.as_deref().and_then(TrimSize::parse),
        address: serde_json::from_value(r.shipping_address).unwrap_or_default(),
        contact_email: r.contact_email,
    }))
}

/// Records the provider's job for the order, unless one is recorded already; the order's
/// status when it was recorded.
pub async fn set_provider_job(db: &Db, order_id: Uuid, job_id: &str) -> Result<Option<OrderStatus>, AppError> {
    let status = sqlx::query_scalar!(
        "UPDATE book_orders SET provider_job_id = $2, updated_at = NOW()
         WHERE id = $1 AND provider_job_id IS NULL RETURNING status",
        order_id,
        job_id
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(status.as_deref().and_then(OrderStatus::parse))
}

/// The order a provider's job is for: by the job's id, else (a job whose creation answer
/// was lost) by our order number among the provider's orders with no job yet. Also says
/// whether the job is recorded on it.
pub async fn by_provider_job(
    db: &Db,
    provider: &str,
    job_id: &str,
    order_number: Option<&str>,
) -> Result<Option<(Uuid, bool)>, AppError> {
    let found = sqlx::query!(
        r#"SELECT id, provider_job_id IS NOT NULL AS "recorded!" FROM book_orders
           WHERE provider = $1 AND (provider_job_id = $2 OR (provider_job_id IS NULL AND order_number = $3))
           ORDER BY provider_job_id IS NULL LIMIT 1"#,
        provider,
        job_id,
        order_number
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(found.map(|r| (r.id, r.recorded)))
}

/// The provider's jobs still worth asking about: orders not yet delivered or cancelled,
/// changed in the last 90 days (a parcel whose delivery is never reported stops being
/// asked about), oldest first.
pub async fn jobs_to_follow(db: &Db, provider: &str) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(sqlx::query!(
        r#"SELECT id, provider_job_id AS "provider_job_id!" FROM book_orders
           WHERE provider = $1 AND provider_job_id IS NOT NULL
             AND status IN ('pending', 'processing', 'printed', 'shipped')
             AND updated_at > NOW() - interval '90 days'
           ORDER BY ordered_at LIMIT 1000"#,
        provider
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| (r.id, r.provider_job_id))
    .collect())
}
