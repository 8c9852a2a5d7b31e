//! Ordering printed books: the print provider (behind one trait), order numbers, placing an
//! order exactly once, and the emails each step sends. Lulu, the provider that prints by
//! itself, is in [`providers`] (configuration, prices) and [`fulfil`] (sending and following
//! its print jobs).
use std::sync::Arc;

use futures_util::future::BoxFuture;
use rand::Rng;
use uuid::Uuid;

use super::auth::AuthUser;
use super::authz::CampaignAccess;
use super::db::orders::{self, NewOrder};
use super::db::UserTx;
use super::mail::{html_body, OutgoingMail};
use super::state::AppState;
use super::{keys, request};
use crate::error::AppError;
use crate::model::book::{BookStatus, TrimSize};
use crate::model::order::{OrderDetail, OrderForm, OrderStatus, PrintOptions, ShippingAddress};
use crate::urls;

pub mod fulfil;
pub mod lulu;
pub mod price;
pub mod providers;

use price::{PriceTable, Priced};
use providers::LuluProvider;

/// A print provider: prices exactly these options for a book of this trim and page count.
/// Taking the job is provider-specific (only Lulu does it: [`Printer::lulu`]).
pub trait PrintProvider: Send + Sync {
    fn name(&self) -> &'static str;
    fn price<'a>(
        &'a self,
        options: &'a PrintOptions,
        trim: TrimSize,
        pages: i32,
        address: &'a ShippingAddress,
    ) -> BoxFuture<'a, Result<Priced, AppError>>;
}

/// The default provider: prices from one table in configuration, and staff who print and
/// post the books and record each step at /admin/orders.
pub struct Manual {
    pub table: PriceTable,
}

impl PrintProvider for Manual {
    fn name(&self) -> &'static str {
        "manual"
    }

    /// The table has one price per binding whatever the trim.
    fn price<'a>(
        &'a self,
        options: &'a PrintOptions,
        _trim: TrimSize,
        pages: i32,
        address: &'a ShippingAddress,
    ) -> BoxFuture<'a, Result<Priced, AppError>> {
        Box::pin(async move { Ok(self.table.price(options, pages, &address.country)) })
    }
}

/// The configured provider (MSF_PRINT_PROVIDER): its prices for every provider, and for Lulu
/// the client that sends and follows print jobs.
#[derive(Clone)]
pub struct Printer {
    provider: Arc<dyn PrintProvider>,
    lulu: Option<Arc<LuluProvider>>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Printer").field(&self.provider.name()).finish()
    }
}

impl Printer {
    pub fn manual(table: PriceTable) -> Self {
        Printer { provider: Arc::new(Manual { table }), lulu: None }
    }

    pub fn with_lulu(lulu: LuluProvider) -> Self {
        let lulu = Arc::new(lulu);
        Printer { provider: lulu.clone(), lulu: Some(lulu) }
    }

    pub fn from_env() -> Result<Self, String> {
        match std::env::var("MSF_PRINT_PROVIDER").as_deref().map(str::trim) {
            Err(_) | Ok("") | Ok("manual") => Ok(Self::manual(PriceTable::from_env()?)),
            Ok("lulu") => Ok(Self::with_lulu(LuluProvider::from_env()?)),
            Ok(other) => {
                Err(format!("MSF_PRINT_PROVIDER={other} is not a print provider this version knows (manual, lulu)"))
            }
        }
    }

    pub fn provider(&self) -> &dyn PrintProvider {
        &*self.provider
    }

    /// Lulu, when it is the provider: it takes the jobs itself ([`fulfil`]).
    pub fn lulu(&self) -> Option<&LuluProvider> {
        self.lulu.as_deref()
    }
}

/// No 0/O, 1/I/L or U: read aloud or typed from paper, a number can't be mistaken.
const ORDER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `MSF-7K3Q-9XTP`: 30⁸ (6.5 × 10¹¹) possibilities, random, so one number tells nothing
/// about another; the database's unique index catches the rare repeat.
pub fn order_number() -> String {
    let mut rng = rand::thread_rng();
    let mut part =
        || (0..4).map(|_| ORDER_ALPHABET[rng.gen_range(0..ORDER_ALPHABET.len())] as char).collect::<String>();
    format!("MSF-{}-{}", part(), part())
}

/// Why this book can't be ordered now, in words, or `Ok`.
pub fn orderable(book: &orders::OrderableBook) -> Result<(), String> {
    if book.status == BookStatus::Draft {
        return Err(
            "This book isn't marked ready to order yet. Check the preview, then mark it ready in the designer.".into(),
        );
    }
    if book.render_id.is_none() || !book.render_current {
        return Err("The book's PDF is older than its design. Make the PDF again in the designer, then order.".into());
    }
    Ok(())
}

/// Validates the form and prices it with the provider; the client never sends a price.
pub async fn quote(
    state: &AppState,
    book: &orders::OrderableBook,
    form: &OrderForm,
) -> Result<(PrintOptions, ShippingAddress, Priced), AppError> {
    let (options, address) = form.parse(book.page_count)?;
    if options.binding != book.design.binding {
        return Err(AppError::invalid(
            "binding",
            format!(
                "This book's cover was made for a {}. To print a {}, change the binding in the designer and make \
                 the PDF again.",
                book.design.binding.label().to_lowercase(),
                options.binding.label().to_lowercase()
            ),
        ));
    }
    let priced = state.printer.provider().price(&options, book.design.trim, book.page_count, &address).await?;
    Ok((options, address, priced))
}

/// Places the order once per idempotency key: the same key again (a double click, a retry,
/// a refresh) answers with the order it already made.
pub async fn place(
    state: &AppState,
    user: &AuthUser,
    mut tx: UserTx,
    access: &CampaignAccess,
    book_id: Uuid,
    form: &OrderForm,
    key: Uuid,
) -> Result<Uuid, AppError> {
    access.ensure_may_design_books()?;
    let book = orders::book(&mut tx, access, book_id).await?;
    tx.commit().await?;
    if let Some((id, owner)) = orders::by_key(&state.db, key).await? {
        return if owner == Some(user.id) { Ok(id) } else { Err(AppError::Conflict(RELOAD.into())) };
    }
    orderable(&book).map_err(AppError::Conflict)?;
    let (options, address, priced) = quote(state, &book, form).await?;
    // Each order keeps copies of the book's files: a runaway script can't fill the storage.
    super::limits::ORDERS_PER_USER.hit(&state.db, &user.id.to_string()).await?;
    let render_id = book.render_id.ok_or(AppError::Internal)?;
    let id = Uuid::new_v4();
    // The files that print are copies: editing or deleting the book later changes nothing.
    let source = keys::render_prefix(access.campaign_id(), book_id, render_id);
    for (from, to) in [("book.pdf", "interior.pdf"), ("cover.pdf", "cover.pdf")] {
        state.storage.copy(&format!("{source}/{from}"), &keys::order_file(id, to)).await.map_err(|err| {
            tracing::error!(error = %format!("{err:#}"), "could not keep a copy of the book's files for an order");
            AppError::Internal
        })?;
    }
    let quote = priced.quote(&options, &address.country);
    let confirmed = !state.email_sends || super::db::accounts::email_confirmed(&state.db, user.id).await?;
    let order = NewOrder {
        id,
        idempotency_key: key,
        order_number: order_number(),
        user_id: user.id,
        campaign_id: access.campaign_id(),
        book_id,
        book_title: book.title.clone(),
        page_count: book.page_count,
        design_version: book.design_version,
        options,
        trim: book.design.trim,
        address,
        contact_email: confirmed.then(|| user.email.clone()),
        unit_price: priced.unit,
        total_price: priced.total,
        currency: priced.currency.clone(),
        quote,
        provider: state.printer.provider().name(),
    };
    let mail = match placed_mail(&order, &state.public_url) {
        Some(mail) => Some(serde_json::to_value(mail).map_err(|_| AppError::Internal)?),
        None => None,
    };
    let placed = orders::place(&state.db, &order, mail).await;
    if !matches!(placed, Ok(Some(_))) {
        state.storage.delete(&[keys::order_file(id, "interior.pdf"), keys::order_file(id, "cover.pdf")]).await;
    }
    match placed? {
        Some(id) => {
            tracing::info!(order_id = %id, order_number = %order.order_number, "a book order was placed");
            Ok(id)
        }
        // The same key won a race with this request: answer with that order.
        None => match orders::by_key(&state.db, key).await? {
            Some((id, owner)) if owner == Some(user.id) => Ok(id),
            _ => Err(AppError::Conflict(RELOAD.into())),
        },
    }
}

const RELOAD: &str = "This order form was already used. Please reload the page and confirm again.";

fn mail_to(to: &str, subject: String, lines: Vec<String>, button: &str, link: String) -> OutgoingMail {
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    OutgoingMail {
        from_name: None,
        reply_key: None,
        auto_reply: false,
        to: to.to_owned(),
        subject,
        html: html_body(&lines, button, &link),
        text,
        link: Some(link),
    }
}

fn placed_mail(order: &NewOrder, public_url: &str) -> Option<OutgoingMail> {
    let to = order.contact_email.as_deref()?;
    let link = format!("{}{}", public_url.trim_end_matches('/'), urls::order(order.id));
    Some(mail_to(
        to,
        format!("Order {} received: {}", order.order_number, order.book_title),
        vec![
            "Hello,".to_owned(),
            format!(
                "Thank you: we have your order for {} of “{}”, to {} in {}. Total {}.",
                crate::model::count(i64::from(order.options.quantity), "copy", "copies"),
                order.book_title,
                order.address.name,
                crate::model::order::country_name(&order.address.country).unwrap_or(&order.address.country),
                order.quote.total
            ),
            "We email you at every step. You can cancel it until it goes to print.".to_owned(),
        ],
        "See your order",
        link,
    ))
}

/// The email for a change of status; with the tracking link once shipped.
pub fn status_mail(order: &OrderDetail, public_url: &str) -> Option<serde_json::Value> {
    let to = order.contact_email.as_deref()?;
    let s = &order.summary;
    let link = format!("{}{}", public_url.trim_end_matches('/'), urls::order(s.id));
    let mut lines = vec!["Hello,".to_owned()];
    lines.push(match s.status {
        OrderStatus::Pending => return None,
        OrderStatus::Processing => {
            format!("Your order {} of “{}” is being prepared for print.", s.order_number, s.book_title)
        }
        OrderStatus::Printed => format!("Your books are printed: order {} of “{}”.", s.order_number, s.book_title),
        OrderStatus::Shipped => format!("Your books are on their way: order {} of “{}”.", s.order_number, s.book_title),
        OrderStatus::Delivered => {
            format!("Your order {} of “{}” was delivered. We hope the family loves it.", s.order_number, s.book_title)
        }
        OrderStatus::Cancelled => format!(
            "Your order {} of “{}” was cancelled. Nothing will be charged for it.",
            s.order_number, s.book_title
        ),
    });
    if s.status == OrderStatus::Shipped {
        if let Some(number) = &order.tracking_number {
            let carrier = order.carrier.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
            lines.push(format!("Tracking number{carrier}: {number}"));
        }
        if let Some(url) = &order.tracking_url {
            lines.push(format!("Track the parcel: {url}"));
        }
        if let Some(date) = order.estimated_delivery {
            lines.push(format!("Expected by {}.", date.format("%A %-d %B %Y")));
        }
    }
    let note = order.events.last().and_then(|e| e.note.clone()).filter(|_| s.status == OrderStatus::Cancelled);
    if let Some(note) = note {
        lines.push(format!("Reason: {note}"));
    }
    let subject = format!("Order {}: {}", s.order_number, s.status.label().to_lowercase());
    serde_json::to_value(mail_to(to, subject, lines, "See your order", link)).ok()
}

/// Staff only; anyone else gets the same answer as for a page that doesn't exist.
pub async fn require_staff() -> Result<(AuthUser, AppState), AppError> {
    let user = request::require_user().await.map_err(|_| AppError::NotFound)?;
    let state = request::state()?;
    if !orders::is_staff(&state.db, user.id).await? {
        return Err(AppError::NotFound);
    }
    Ok((user, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_readable_and_unambiguous() {
        let numbers: std::collections::HashSet<String> = (0..1000).map(|_| order_number()).collect();
        assert_eq!(numbers.len(), 1000);
        for n in &numbers {
            assert_eq!(n.len(), 13, "{n}");
            assert!(n.starts_with("MSF-") && n.as_bytes()[8] == b'-', "{n}");
            assert!(n[4..].chars().all(|c| c == '-' || ORDER_ALPHABET.contains(&(c as u8))), "{n}");
            assert!(!n[4..].contains(['0', 'O', '1', 'I', 'L', 'U']), "{n}");
        }
    }
}
