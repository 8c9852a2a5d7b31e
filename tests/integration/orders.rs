//! Ordering printed books: the price computed on the server, one order per idempotency key,
//! the files kept as they were, the lifecycle's rules, emails, and nobody else's orders.
use http::StatusCode;
use mystoryflow::api::orders::{
    AdminOrder, AdminOrders, AdvanceOrder, CancelOrder, MyOrders, Order, OrderPage, PlaceOrder,
};
use mystoryflow::model::order::{OrderDetail, OrderForm, OrderFormPage, OrderStatus};
use mystoryflow::server::keys;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::family;
use crate::helpers::{Reply, TestApp};

pub(crate) fn form() -> OrderForm {
    OrderForm {
        binding: "hardcover".into(),
        interior: "standard_color".into(),
        paper: "standard".into(),
        finish: "matte".into(),
        quantity: "2".into(),
        shipping: "GROUND".into(),
        name: "Ann Example".into(),
        line1: "1 Mill Lane".into(),
        line2: String::new(),
        city: "Springfield".into(),
        state: "IL".into(),
        postal_code: "62701".into(),
        country: "US".into(),
        phone: "+1 555 123 4567".into(),
    }
}

pub(crate) fn place(campaign_id: Uuid, book_id: Uuid, key: Uuid, f: OrderForm) -> PlaceOrder {
    PlaceOrder {
        campaign_id,
        book_id,
        idempotency_key: key,
        binding: f.binding,
        interior: f.interior,
        paper: f.paper,
        finish: f.finish,
        quantity: f.quantity,
        shipping: f.shipping,
        name: f.name,
        line1: f.line1,
        line2: f.line2,
        city: f.city,
        state: f.state,
        postal_code: f.postal_code,
        country: f.country,
        phone: f.phone,
    }
}

/// A hardcover book of 120 pages, checked and ready, with its render's files in storage.
pub(crate) async fn ready_book(app: &TestApp, pool: &PgPool, campaign: Uuid) -> (Uuid, Vec<u8>) {
    let render = Uuid::new_v4();
    let book: Uuid = sqlx::query_scalar(
        r#"INSERT INTO books (campaign_id, user_id, title, status, page_count, design_data, design_version,
               render_status, rendered_version, render_id, rendered_at)
           SELECT $1, user_id, 'Dad''s Life', 'ready_to_order', 120, '{"binding": "hardcover"}', 3, 'done', 3, $2, now()
           FROM campaigns WHERE id = $1 RETURNING id"#,
    )
    .bind(campaign)
    .bind(render)
    .fetch_one(pool)
    .await
    .unwrap();
    let prefix = keys::render_prefix(campaign, book, render);
    let interior = b"%PDF-1.7 the interior as proofread".to_vec();
    app.state.storage.put_bytes(&format!("{prefix}/book.pdf"), interior.clone()).await.unwrap();
    app.state.storage.put_bytes(&format!("{prefix}/cover.pdf"), b"%PDF-1.7 cover".to_vec()).await.unwrap();
    (book, interior)
}

pub(crate) async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

pub(crate) async fn mails(pool: &PgPool, subject_like: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT payload->>'text' FROM jobs WHERE kind = 'mail' AND payload->>'to' = 'owner@example.com'
           AND payload->>'subject' LIKE $1 ORDER BY id",
    )
    .bind(subject_like)
    .fetch_all(pool)
    .await
    .unwrap()
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(reply: &Reply) -> T {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body))
}

async fn advance(app: &TestApp, staff: &str, order_id: Uuid, to: &str, tracking: &str) -> Reply {
    let args = AdvanceOrder {
        order_id,
        to: to.into(),
        tracking_number: tracking.into(),
        carrier: if tracking.is_empty() { String::new() } else { "UPS".into() },
        tracking_url: if tracking.is_empty() { String::new() } else { format!("https://track.example.com/{tracking}") },
        estimated_delivery: if tracking.is_empty() { String::new() } else { "2026-12-24".into() },
        note: String::new(),
    };
    app.call(args, Some(staff)).await
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_order_is_priced_here_placed_once_and_prints_the_files_as_they_were(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (book, interior) = ready_book(&app, &pool, f.campaign).await;

    // The price: line items from the server's table, exact to the cent.
    let args = OrderPage { campaign_id: f.campaign, book_id: book, form: Some(form()), again: None };
    let page: OrderFormPage = json(&app.call(args, Some(&f.owner)).await);
    let quote = page.quote.expect("priced").expect("valid");
    assert_eq!(quote.lines[0].label, "Printing: 2 × $16.40");
    assert_eq!(quote.lines[1].amount, "$10.49");
    assert_eq!(quote.total, "$43.29");

    // Bad input: each field says what is wrong, and nothing is ordered.
    let bad = OrderForm { quantity: "0".into(), postal_code: " ".into(), country: "Narnia".into(), ..form() };
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), bad), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    for field in ["quantity", "postal_code", "country"] {
        assert!(reply.body.contains(field), "{field}: {}", reply.body);
    }
    let paperback = OrderForm { binding: "paperback".into(), ..form() };
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), paperback), Some(&f.owner)).await;
    assert!(reply.body.contains("cover was made for a hardcover"), "{}", reply.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM book_orders").await, 0);

    // Confirmed twice with the same key (a double click, a retry): one order.
    let key = page.idempotency_key;
    let first = app.call(place(f.campaign, book, key, form()), Some(&f.owner)).await;
    let second = app.call(place(f.campaign, book, key, form()), Some(&f.owner)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(count(&pool, "SELECT count(*) FROM book_orders").await, 1);
    let (order_id, number, unit, total): (Uuid, String, String, String) =
        sqlx::query_as("SELECT id, order_number, unit_price::text, total_price::text FROM book_orders")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(first.header("location"), Some(format!("/orders/{order_id}")));
    assert_eq!((unit.as_str(), total.as_str()), ("16.40", "43.29"));
    assert!(number.starts_with("MSF-") && number.len() == 13, "{number}");
    assert_eq!(count(&pool, "SELECT count(*) FROM books WHERE status = 'ordered'").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM addresses WHERE city = 'Springfield'").await, 1);
    assert_eq!(mails(&pool, "Order MSF-% received: Dad's Life").await.len(), 1);

    // Someone else's key is not theirs to reuse.
    let reply = app.call(place(f.campaign, book, key, form()), Some(&f.contributor)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "contributors don't design books: {}", reply.body);

    // The files print as they were when ordered, whatever happens to the book afterwards.
    sqlx::query("DELETE FROM books WHERE id = $1").bind(book).execute(&pool).await.unwrap();
    app.state.storage.delete_prefix(&keys::book_prefix(f.campaign, book)).await;
    let (status, _, bytes) =
        app.get_bytes(&format!("/media/orders/{order_id}/interior.pdf"), Some(&f.owner), None).await;
    assert_eq!((status, bytes), (StatusCode::OK, interior));
    let mine: OrderDetail = json(&app.call(Order { order_id }, Some(&f.owner)).await);
    assert_eq!((mine.summary.book_title.as_str(), mine.summary.total.as_str()), ("Dad's Life", "$43.29"));
    assert_eq!(mine.events.len(), 1);

    // Nobody else sees, cancels or reorders it.
    for cookie in [&f.contributor, &f.viewer, &f.outsider] {
        assert_eq!(app.call(Order { order_id }, Some(cookie)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(CancelOrder { order_id }, Some(cookie)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(AdminOrder { order_id }, Some(cookie)).await.status, StatusCode::NOT_FOUND);
        let list: Vec<serde_json::Value> = json(&app.call(MyOrders {}, Some(cookie)).await);
        assert!(list.is_empty());
        let (status, _, _) = app.get_bytes(&format!("/media/orders/{order_id}/cover.pdf"), Some(cookie), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let again = OrderPage { campaign_id: f.campaign, book_id: book, form: None, again: Some(order_id) };
    assert_eq!(app.call(again, Some(&f.outsider)).await.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_owner_whose_address_is_not_confirmed_orders_without_order_emails(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (book, _) = ready_book(&app, &pool, f.campaign).await;
    sqlx::query("UPDATE auth.users SET email_confirmed_at = NULL WHERE email = 'owner@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM book_orders WHERE contact_email IS NULL").await, 1);
    assert!(mails(&pool, "Order %").await.is_empty());
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn staff_move_an_order_through_its_lifecycle_and_every_invalid_step_is_refused(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (book, _) = ready_book(&app, &pool, f.campaign).await;
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let order_id: Uuid = sqlx::query_scalar("SELECT id FROM book_orders").fetch_one(&pool).await.unwrap();

    // Not staff yet: the console doesn't exist for them.
    assert_eq!(app.call(AdminOrders { status: String::new() }, Some(&f.outsider)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(advance(&app, &f.outsider, order_id, "processing", "").await.status, StatusCode::NOT_FOUND);
    let (granted, out) = crate::helpers::run_binary(&pool, &["user", "set-staff", "outsider@example.com"]).await;
    assert!(granted, "{out}");
    let staff = &f.outsider;
    let listed: Vec<serde_json::Value> = json(&app.call(AdminOrders { status: "pending".into() }, Some(staff)).await);
    assert_eq!(listed.len(), 1);
    let none: Vec<serde_json::Value> = json(&app.call(AdminOrders { status: "shipped".into() }, Some(staff)).await);
    assert!(none.is_empty());

    // Skipping a step is refused; so is shipping without a tracking number.
    assert_eq!(advance(&app, staff, order_id, "shipped", "1Z999").await.status, StatusCode::CONFLICT);
    assert_eq!(advance(&app, staff, order_id, "processing", "").await.status, StatusCode::OK);
    // Once at the printer, the customer can no longer cancel.
    let reply = app.call(CancelOrder { order_id }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.body.contains("can no longer be cancelled"), "{}", reply.body);
    assert_eq!(advance(&app, staff, order_id, "printed", "").await.status, StatusCode::OK);
    let reply = advance(&app, staff, order_id, "cancelled", "").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed: {}", reply.body);
    let reply = AdvanceOrder {
        order_id,
        to: "cancelled".into(),
        tracking_number: String::new(),
        carrier: String::new(),
        tracking_url: String::new(),
        estimated_delivery: String::new(),
        note: "Changed our minds".into(),
    };
    assert_eq!(app.call(reply, Some(staff)).await.status, StatusCode::CONFLICT, "printed: too late to cancel");
    let reply = advance(&app, staff, order_id, "shipped", "").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("tracking number"), "{}", reply.body);
    assert_eq!(advance(&app, staff, order_id, "shipped", "1Z999").await.status, StatusCode::OK);

    // The owner sees the tracking, the timeline, and had an email at every step.
    let mine: OrderDetail = json(&app.call(Order { order_id }, Some(&f.owner)).await);
    assert_eq!(mine.summary.status, OrderStatus::Shipped);
    assert_eq!(mine.tracking_number.as_deref(), Some("1Z999"));
    assert_eq!(mine.tracking_url.as_deref(), Some("https://track.example.com/1Z999"));
    assert_eq!(mine.estimated_delivery.map(|d| d.to_string()).as_deref(), Some("2026-12-24"));
    let steps: Vec<OrderStatus> = mine.events.iter().map(|e| e.to).collect();
    assert_eq!(steps, [OrderStatus::Pending, OrderStatus::Processing, OrderStatus::Printed, OrderStatus::Shipped]);
    let shipped = mails(&pool, "Order MSF-%: shipped").await;
    assert_eq!(shipped.len(), 1);
    assert!(shipped[0].contains("https://track.example.com/1Z999") && shipped[0].contains("1Z999"), "{}", shipped[0]);
    assert_eq!(mails(&pool, "Order MSF-%: being prepared for print").await.len(), 1);
    assert_eq!(mails(&pool, "Order MSF-%: printed").await.len(), 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events WHERE actor = 'staff'").await, 3);

    // Delivered: the book is completed; nothing goes back.
    assert_eq!(advance(&app, staff, order_id, "delivered", "").await.status, StatusCode::OK);
    assert_eq!(count(&pool, "SELECT count(*) FROM books WHERE status = 'completed'").await, 1);
    let delivered_at = "SELECT count(*) FROM book_orders WHERE delivered_at IS NOT NULL AND shipped_at IS NOT NULL";
    assert_eq!(count(&pool, delivered_at).await, 1);
    for to in ["pending", "processing", "printed", "shipped", "delivered"] {
        assert_eq!(advance(&app, staff, order_id, to, "1Z999").await.status, StatusCode::CONFLICT, "{to}");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events").await, 5);

    // A second order, cancelled by its owner while pending; "order again" repeats the choices.
    let again = OrderPage { campaign_id: f.campaign, book_id: book, form: None, again: Some(order_id) };
    let page: OrderFormPage = json(&app.call(again, Some(&f.owner)).await);
    assert_eq!(page.form, form());
    let reply = app.call(place(f.campaign, book, page.idempotency_key, page.form), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let second: Uuid =
        sqlx::query_scalar("SELECT id FROM book_orders WHERE status = 'pending'").fetch_one(&pool).await.unwrap();
    assert_eq!(app.call(CancelOrder { order_id: second }, Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(app.call(CancelOrder { order_id: second }, Some(&f.owner)).await.status, StatusCode::CONFLICT);
    assert_eq!(mails(&pool, "Order MSF-%: cancelled").await.len(), 1);
    let list: Vec<serde_json::Value> = json(&app.call(MyOrders {}, Some(&f.owner)).await);
    assert_eq!(list.len(), 2);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_book_that_is_not_ready_cannot_be_ordered_and_admin_pages_are_not_found(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (book, _) = ready_book(&app, &pool, f.campaign).await;
    sqlx::query("UPDATE books SET design_version = 4").execute(&pool).await.unwrap();
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.body.contains("Make the PDF again"), "{}", reply.body);
    sqlx::query("UPDATE books SET design_version = 3, status = 'draft'").execute(&pool).await.unwrap();
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
    assert!(reply.body.contains("isn't marked ready"), "{}", reply.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM book_orders").await, 0);

    // Every /admin page is a 404 for anyone but staff, signed in or not.
    for cookie in [Some(f.owner.as_str()), None] {
        for path in ["/admin/orders", &format!("/admin/orders/{}", Uuid::new_v4()), "/admin"] {
            assert_eq!(app.get(path, cookie).await.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn one_person_places_at_most_twenty_orders_an_hour(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let (book, _) = ready_book(&app, &pool, f.campaign).await;
    for _ in 0..20 {
        let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
    assert!(reply.body.contains("many orders"), "{}", reply.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM book_orders").await, 20);
    let stored = app.state.storage.list().await.unwrap();
    assert_eq!(
        stored.iter().filter(|(key, _)| key.starts_with("orders/")).count(),
        40,
        "nothing copied for the refused one"
    );
}
