//! Ordering printed books: the order page (choices, address, the price computed here), placing
//! an order once, the person's orders, and the staff console that fulfils them.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::order::{OrderDetail, OrderForm, OrderFormPage, OrderSummary};

/// The order page: the book, the form (from `form`, else the last order `again` repeats,
/// else the book's own choices and the last address used) and, once filled in, the price.
#[server(endpoint = "order_page")]
pub async fn order_page(
    campaign_id: Uuid,
    book_id: Uuid,
    #[server(default)] form: Option<OrderForm>,
    #[server(default)] again: Option<Uuid>,
) -> Result<OrderFormPage, AppError> {
    use crate::model::order::{Interior, PrintOptions};
    use crate::model::Role;
    use crate::server::db::orders;
    use crate::server::orders as ordering;
    in_campaign!(read campaign_id, Role::Contributor, |state, tx, access| {
        access.ensure_may_design_books()?;
        let book = orders::book(&mut tx, &access, book_id).await?;
        let saved_addresses = orders::saved_addresses(&mut tx).await?;
        let previous = match again {
            Some(order_id) => Some(orders::my_order(&mut tx, order_id).await?),
            None => None,
        };
        let quote = match &form {
            Some(form) => Some(match ordering::quote(state, &book, form).await {
                Ok((options, address, priced)) => Ok(priced.quote(&options, &address.country)),
                Err(AppError::Validation(errors)) => Err(errors),
                Err(err) => return Err(err),
            }),
            None => None,
        };
        let form = form.unwrap_or_else(|| match &previous {
            Some(order) => OrderForm::from_parts(&order.options, &order.address),
            None => {
                let options = PrintOptions {
                    binding: book.design.binding,
                    paper: book.design.paper,
                    interior: Interior::default(),
                    quantity: 1,
                    ..Default::default()
                };
                OrderForm::from_parts(&options, &saved_addresses.first().cloned().unwrap_or_default())
            }
        });
        OrderFormPage {
            campaign_id,
            book_id,
            book_title: book.title.clone(),
            page_count: book.page_count,
            orderable: ordering::orderable(&book),
            form,
            saved_addresses,
            quote,
            idempotency_key: Uuid::new_v4(),
        }
    })
}

/// Places the order priced on the page. The price is computed again here, never taken from
/// the form; the same `idempotency_key` twice makes one order.
#[server(endpoint = "place_order")]
#[allow(clippy::too_many_arguments)]
pub async fn place_order(
    campaign_id: Uuid,
    book_id: Uuid,
    idempotency_key: Uuid,
    binding: String,
    interior: String,
    paper: String,
    finish: String,
    quantity: String,
    shipping: String,
    name: String,
    line1: String,
    #[server(default)] line2: String,
    city: String,
    #[server(default)] state: String,
    postal_code: String,
    country: String,
    phone: String,
) -> Result<(), AppError> {
    use crate::server::{authz::CampaignAccess, orders as ordering, request};
    let form = OrderForm {
        binding,
        interior,
        paper,
        finish,
        quantity,
        shipping,
        name,
        line1,
        line2,
        city,
        state,
        postal_code,
        country,
        phone,
    };
    let back = format!("{}?{}", crate::urls::order_book(campaign_id, book_id), form.to_query());
    let result = async {
        let user = request::require_user().await?;
        let app = request::state()?;
        let mut tx = app.db.begin_as(user.id).await?;
        let access = CampaignAccess::require(&mut tx, campaign_id, crate::model::Role::Contributor).await?;
        let order_id = ordering::place(&app, &user, tx, &access, book_id, &form, idempotency_key).await?;
        leptos_axum::redirect(&crate::urls::order(order_id));
        Ok(())
    }
    .await;
    request::respond_to_form("place_order", Vec::new(), &back, result).await
}

#[server(endpoint = "my_orders")]
pub async fn my_orders() -> Result<Vec<OrderSummary>, AppError> {
    use crate::server::{db::orders, request};
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let list = orders::mine(&mut tx).await?;
        tx.commit().await?;
        Ok(list)
    }
    .await;
    request::respond(result)
}

/// One of the person's own orders with its history; anyone else's is not found.
#[server(endpoint = "order")]
pub async fn order(order_id: Uuid) -> Result<OrderDetail, AppError> {
    use crate::server::{db::orders, request};
    let result = async {
        let user = request::require_user().await?;
        let mut tx = request::state()?.db.begin_as(user.id).await?;
        let order = orders::my_order(&mut tx, order_id).await?;
        tx.commit().await?;
        Ok(order)
    }
    .await;
    request::respond(result)
}

/// The person cancels their own order, only while it has not gone to print.
#[server(endpoint = "cancel_order")]
pub async fn cancel_order(order_id: Uuid) -> Result<(), AppError> {
    use crate::model::order::{Actor, OrderStatus};
    use crate::server::{db::orders, orders as ordering, request};
    let back = crate::urls::order(order_id);
    let result = async {
        let user = request::require_user().await?;
        let state = request::state()?;
        // Theirs, and still theirs to cancel, before its print job (if any) is cancelled.
        let mut tx = state.db.begin_as(user.id).await?;
        let current = orders::my_order(&mut tx, order_id).await?;
        tx.commit().await?;
        current.summary.status.check(OrderStatus::Cancelled, Actor::Customer).map_err(AppError::Conflict)?;
        ordering::fulfil::cancel_at_printer(&state, order_id).await?;
        let change =
            orders::Change { note: Some("Cancelled by the person who ordered it.".into()), ..Default::default() };
        orders::transition(
            &state.db,
            order_id,
            OrderStatus::Cancelled,
            orders::By::customer(user.id),
            &change,
            |order| ordering::status_mail(order, &state.public_url),
        )
        .await?;
        if request::is_plain_form_post() {
            leptos_axum::redirect(&back);
        }
        Ok(())
    }
    .await;
    request::respond_to_form("cancel_order", Vec::new(), &back, result).await
}

/// Staff: every order, newest first, optionally of one status ("" for all).
#[server(endpoint = "admin_orders")]
pub async fn admin_orders(#[server(default)] status: String) -> Result<Vec<OrderSummary>, AppError> {
    use crate::model::order::OrderStatus;
    use crate::server::{db::orders, orders as ordering, request};
    let result = async {
        let (_, state) = ordering::require_staff().await?;
        let status = match status.as_str() {
            "" => None,
            other => Some(OrderStatus::parse(other).ok_or_else(|| AppError::invalid("status", "Unknown status."))?),
        };
        orders::all(&state.db, status).await
    }
    .await;
    request::respond(result)
}

#[server(endpoint = "admin_order")]
pub async fn admin_order(order_id: Uuid) -> Result<OrderDetail, AppError> {
    use crate::server::{db::orders, orders as ordering, request};
    let result = async {
        let (_, state) = ordering::require_staff().await?;
        orders::any_order(&state.db, order_id).await
    }
    .await;
    request::respond(result)
}

/// Staff record the next step (or cancel with a reason); shipping needs the tracking number.
#[server(endpoint = "advance_order")]
#[allow(clippy::too_many_arguments)]
pub async fn advance_order(
    order_id: Uuid,
    to: String,
    #[server(default)] tracking_number: String,
    #[server(default)] carrier: String,
    #[server(default)] tracking_url: String,
    #[server(default)] estimated_delivery: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use crate::model::order::{Actor, OrderStatus};
    use crate::server::{db::orders, orders as ordering, request};
    let back = crate::urls::admin_order(order_id);
    let typed = vec![
        ("tracking_number".to_owned(), tracking_number.clone()),
        ("carrier".to_owned(), carrier.clone()),
        ("tracking_url".to_owned(), tracking_url.clone()),
        ("estimated_delivery".to_owned(), estimated_delivery.clone()),
        ("note".to_owned(), note.clone()),
    ];
    let result = async {
        let (user, state) = ordering::require_staff().await?;
        let to = OrderStatus::parse(&to).ok_or_else(|| AppError::invalid("to", "Unknown status."))?;
        let change = staff_change(to, tracking_number, carrier, tracking_url, estimated_delivery, note)?;
        if to == OrderStatus::Cancelled {
            let current = orders::any_order(&state.db, order_id).await?;
            current.summary.status.check(to, Actor::Staff).map_err(AppError::Conflict)?;
            ordering::fulfil::cancel_at_printer(&state, order_id).await?;
        }
        orders::transition(&state.db, order_id, to, orders::By::staff(user.id), &change, |order| {
            ordering::status_mail(order, &state.public_url)
        })
        .await?;
        if request::is_plain_form_post() {
            leptos_axum::redirect(&back);
        }
        Ok(())
    }
    .await;
    request::respond_to_form("advance_order", typed, &back, result).await
}

#[cfg(feature = "ssr")]
fn staff_change(
    to: crate::model::order::OrderStatus,
    tracking_number: String,
    carrier: String,
    tracking_url: String,
    estimated_delivery: String,
    note: String,
) -> Result<crate::server::db::orders::Change, AppError> {
    use crate::model::order::OrderStatus;
    let mut errors = crate::error::FieldErrors::new();
    let text = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let (tracking_number, carrier, tracking_url, note) =
        (text(tracking_number), text(carrier), text(tracking_url), text(note));
    if to == OrderStatus::Shipped && tracking_number.is_none() {
        errors.insert("tracking_number".into(), "Please enter the tracking number.".into());
    }
    if to == OrderStatus::Cancelled && note.is_none() {
        errors.insert("note".into(), "Please say why it is cancelled: the customer is told.".into());
    }
    if let Some(url) = &tracking_url {
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.len() > 500
            || url.contains(char::is_whitespace)
        {
            errors.insert(
                "tracking_url".into(),
                "Please enter the carrier's tracking address, starting https://.".into(),
            );
        }
    }
    let estimated_delivery = match estimated_delivery.trim() {
        "" => None,
        date => match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.insert("estimated_delivery".into(), "Please enter a date like 2026-12-24.".into());
                None
            }
        },
    };
    for (field, value) in [("tracking_number", &tracking_number), ("carrier", &carrier), ("note", &note)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 500) {
            errors.insert(field.into(), "Please keep this under 500 characters.".into());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(crate::server::db::orders::Change { note, tracking_number, carrier, tracking_url, estimated_delivery })
}
