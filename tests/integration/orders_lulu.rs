//! Orders printed by Lulu, against a stand-in for its API (wiremock): the price from Lulu, the
//! print job sent once with signed links to the files, webhooks checked and applied once, the
//! hourly look that catches a lost one, and files Lulu refuses cancelling the order.
use axum::body::Body;
use hmac::{Hmac, Mac};
use http::{Request, StatusCode};
use mystoryflow::api::orders::{CancelOrder, Order, OrderPage};
use mystoryflow::model::order::{Actor, OrderDetail, OrderFormPage, OrderStatus};
use mystoryflow::server::orders::fulfil;
use mystoryflow::server::orders::lulu::LuluConfig;
use mystoryflow::server::orders::providers::LuluProvider;
use mystoryflow::server::orders::Printer;
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::PgPool;
use uuid::Uuid;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixtures::family;
use crate::helpers::{Reply, TestApp};
use crate::orders::{count, form, json, mails, place, ready_book};

const SECRET: &str = "lulu-secret";
const JOB: i64 = 4242;
/// A hardcover in standard colour on 60# paper, matte, at the default 6 × 9 in trim.
const POD: &str = "0600X0900.FC.STD.CW.060UW444.MXX";
const PUBLIC_URL: &str = "http://localhost:3000";

async fn lulu_app(pool: &PgPool, server: &MockServer) -> TestApp {
    let config = LuluConfig {
        poll_interval: std::time::Duration::from_millis(1),
        poll_attempts: 3,
        ..LuluConfig::new(server.uri(), "lulu-key", SECRET)
    };
    let provider = LuluProvider::new(config, None).expect("a Lulu client");
    TestApp::with_printer(pool.clone(), Printer::with_lulu(provider)).await
}

/// Lulu's token, price and file checks (both files normalised), no earlier job for any order.
async fn lulu_basics(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/auth/realms/glasstree/protocol/openid-connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "t1", "expires_in": 3600})))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/print-job-cost-calculations/"))
        .and(body_partial_json(json!({"line_items": [{"pod_package_id": POD, "page_count": 120, "quantity": 2}]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "currency": "USD",
            "line_item_costs": [{"total_cost_excl_tax": "25.50", "total_cost_incl_tax": "27.03", "total_tax": "1.53"}],
            "shipping_cost": {"total_cost_excl_tax": "9.99", "total_cost_incl_tax": "10.59", "total_tax": "0.60"},
            "total_cost_excl_tax": "36.24",
            "total_tax": "2.17",
            "total_cost_incl_tax": "38.41"
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "results": []})))
        .mount(server)
        .await;
}

async fn files_normalized(server: &MockServer) {
    for (file, id) in [("interior", 11), ("cover", 12)] {
        Mock::given(method("POST"))
            .and(path(format!("/validate-{file}/")))
            .and(body_partial_json(json!({"pod_package_id": POD})))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": id, "status": "NORMALIZED"})))
            .expect(1)
            .mount(server)
            .await;
    }
}

/// A print job as Lulu describes it (Print-Jobs_read, and a webhook's `data`).
fn job(id: i64, external_id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "external_id": external_id,
        "estimated_shipping_dates": {"arrival_min": "2026-12-08", "arrival_max": "2026-12-12"},
        "line_items": [{
            "external_id": external_id, "quantity": 2, "title": "Dad's Life",
            "status": {"name": status, "messages": {}},
            "tracking_id": null, "tracking_urls": null, "carrier_name": null
        }],
        "status": {"name": status, "message": "", "changed": "2026-11-28T08:48:00Z"}
    })
}

fn shipped(id: i64, external_id: &str) -> Value {
    let mut job = job(id, external_id, "SHIPPED");
    job["line_items"][0]["tracking_id"] = "1Z999AA10123456784".into();
    job["line_items"][0]["tracking_urls"] = json!(["https://track.example.com/1Z999AA10123456784"]);
    job["line_items"][0]["carrier_name"] = "UPS".into();
    job
}

fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn webhook(app: &TestApp, body: &[u8], signature: Option<&str>) -> Reply {
    let mut request = Request::post("/webhooks/lulu").header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("Lulu-HMAC-SHA256", signature);
    }
    app.send(request.body(Body::from(body.to_vec())).unwrap()).await
}

fn status_changed(data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"topic": "PRINT_JOB_STATUS_CHANGED", "data": data})).unwrap()
}

/// Places the standard order as the family's owner; its id and number.
async fn placed(app: &TestApp, pool: &PgPool) -> (Uuid, String, String, Vec<u8>) {
    let f = family(app, pool).await;
    let (book, interior) = ready_book(app, pool, f.campaign).await;
    let reply = app.call(place(f.campaign, book, Uuid::new_v4(), form()), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (id, number): (Uuid, String) =
        sqlx::query_as("SELECT id, order_number FROM book_orders").fetch_one(pool).await.unwrap();
    (id, number, f.owner, interior)
}

async fn order_of(app: &TestApp, order_id: Uuid, owner: &str) -> OrderDetail {
    json(&app.call(Order { order_id }, Some(owner)).await)
}

async fn provider_job(pool: &PgPool) -> Option<String> {
    sqlx::query_scalar("SELECT provider_job_id FROM book_orders").fetch_one(pool).await.unwrap()
}

/// The JSON body of the one request Lulu's stand-in had at `path`.
async fn sent_to(server: &MockServer, verb: &str, at: &str) -> Value {
    let requests = server.received_requests().await.unwrap();
    let mut matching = requests.iter().filter(|r| r.method.as_str() == verb && r.url.path() == at);
    let request = matching.next().unwrap_or_else(|| panic!("no {verb} {at}"));
    assert!(matching.next().is_none(), "one {verb} {at}");
    serde_json::from_slice(&request.body).unwrap()
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_order_goes_to_lulu_once_with_signed_file_links_and_its_webhooks_move_it(pool: PgPool) {
    let server = MockServer::start().await;
    lulu_basics(&server).await;
    files_normalized(&server).await;
    let app = lulu_app(&pool, &server).await;
    let f = family(&app, &pool).await;
    let (book, interior) = ready_book(&app, &pool, f.campaign).await;

    // The price is Lulu's, for the book's trim, with its tax; fees shown with shipping.
    let args = OrderPage { campaign_id: f.campaign, book_id: book, form: Some(form()), again: None };
    let page: OrderFormPage = json(&app.call(args, Some(&f.owner)).await);
    let quote = page.quote.expect("priced").expect("valid");
    let lines: Vec<(&str, &str)> = quote.lines.iter().map(|l| (l.label.as_str(), l.amount.as_str())).collect();
    assert_eq!(
        lines,
        [
            ("Printing: 2 × $12.75", "$25.50"),
            ("Shipping (Ground to United States of America)", "$10.74"),
            ("Tax", "$2.17")
        ]
    );
    assert_eq!(quote.total, "$38.41");

    // Placing it queues the job that sends it, in the same transaction.
    let reply = app.call(place(f.campaign, book, page.idempotency_key, form()), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (order_id, number, provider, trim): (Uuid, String, String, String) =
        sqlx::query_as("SELECT id, order_number, provider, book_options->>'trim' FROM book_orders")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((provider.as_str(), trim.as_str()), ("lulu", "6x9"));
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'submit_print_job'").await, 1);
    assert!(order_of(&app, order_id, &f.owner).await.waiting_for_printer);
    let html = app.get(&format!("/orders/{order_id}"), Some(&f.owner)).await;
    assert!(html.body.contains("Waiting for the printer"), "{}", html.body);

    // The job: the files checked, then the print job sent, once, and its id kept.
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .and(body_partial_json(json!({"external_id": number, "shipping_level": "GROUND"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(job(JOB, &number, "CREATED")))
        .expect(1)
        .mount(&server)
        .await;
    assert!(fulfil::run_once(&app.state).await.unwrap());
    assert!(!fulfil::run_once(&app.state).await.unwrap(), "nothing left to send");
    fulfil::submit(&app.state, order_id, None).await.unwrap();
    assert_eq!(provider_job(&pool).await.as_deref(), Some("4242"));
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'submit_print_job' AND status = 'done'").await, 1);
    let mine = order_of(&app, order_id, &f.owner).await;
    assert!(!mine.waiting_for_printer);
    assert_eq!(mine.summary.status, OrderStatus::Pending, "Lulu has it, not printing yet");
    let html = app.get(&format!("/orders/{order_id}"), Some(&f.owner)).await;
    assert!(!html.body.contains("Waiting for the printer"), "{}", html.body);

    let sent = sent_to(&server, "POST", "/print-jobs/").await;
    assert_eq!(sent["contact_email"], "owner@example.com");
    assert_eq!(sent["shipping_address"]["email"], "owner@example.com");
    let line = &sent["line_items"][0];
    assert_eq!((line["title"].as_str(), line["quantity"].as_i64()), (Some("Dad's Life"), Some(2)));
    assert_eq!(line["printable_normalization"]["pod_package_id"], POD);
    let interior_url = line["printable_normalization"]["interior"]["source_url"].as_str().unwrap().to_owned();
    let cover_url = line["printable_normalization"]["cover"]["source_url"].as_str().unwrap().to_owned();
    assert_eq!(sent_to(&server, "POST", "/validate-interior/").await["source_url"], interior_url.as_str());
    assert_eq!(sent_to(&server, "POST", "/validate-cover/").await["interior_page_count"], 120);

    // Lulu downloads the files through those links, without an account; a changed link is
    // not found.
    let interior_path = interior_url.strip_prefix(PUBLIC_URL).expect("on the public address");
    assert!(interior_path.starts_with(&format!("/print-files/{order_id}/interior.pdf?expires=")), "{interior_path}");
    let (status, headers, bytes) = app.get_bytes(interior_path, None, None).await;
    assert_eq!((status, bytes), (StatusCode::OK, interior));
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    let (status, _, bytes) = app.get_bytes(cover_url.strip_prefix(PUBLIC_URL).unwrap(), None, None).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, b"%PDF-1.7 cover".as_slice()));
    let tampered = format!("{}A", interior_path);
    assert_eq!(app.get_bytes(&tampered, None, None).await.0, StatusCode::NOT_FOUND);
    let other = interior_path.replace("interior.pdf", "cover.pdf");
    assert_eq!(app.get_bytes(&other, None, None).await.0, StatusCode::NOT_FOUND);

    // Lulu says it shipped (skipping our "printed"): the order ships, with the tracking.
    let body = status_changed(shipped(JOB, &number));
    let reply = webhook(&app, &body, Some(&signature(SECRET, &body))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mine = order_of(&app, order_id, &f.owner).await;
    assert_eq!(mine.summary.status, OrderStatus::Shipped);
    assert_eq!(mine.tracking_number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(mine.carrier.as_deref(), Some("UPS"));
    assert_eq!(mine.tracking_url.as_deref(), Some("https://track.example.com/1Z999AA10123456784"));
    assert_eq!(mine.estimated_delivery.map(|d| d.to_string()).as_deref(), Some("2026-12-12"));
    let last = mine.events.last().unwrap();
    assert_eq!((last.actor, last.from, last.to), (Actor::Printer, Some(OrderStatus::Pending), OrderStatus::Shipped));
    let shipped_mail = mails(&pool, "Order MSF-%: shipped").await;
    assert_eq!(shipped_mail.len(), 1);
    assert!(shipped_mail[0].contains("1Z999AA10123456784"), "{}", shipped_mail[0]);

    // The same webhook again (Lulu retries), and a late one for an earlier step: nothing more.
    for body in [body.clone(), status_changed(job(JOB, &number, "IN_PRODUCTION"))] {
        let reply = webhook(&app, &body, Some(&signature(SECRET, &body))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let shipped_events = "SELECT count(*) FROM order_events WHERE to_status = 'shipped'";
    assert_eq!(count(&pool, shipped_events).await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events").await, 2);
    assert_eq!(mails(&pool, "Order MSF-%: shipped").await.len(), 1);

    // Unsigned, signed with another secret, or changed after signing: 401, nothing changes.
    let delivered = status_changed(job(JOB, &number, "DELIVERED"));
    let mut changed = delivered.clone();
    let good = signature(SECRET, &delivered);
    changed.push(b' ');
    for (body, signature) in [
        (&delivered, None),
        (&delivered, Some(signature("another-secret", &delivered))),
        (&delivered, Some("not a signature".to_owned())),
        (&changed, Some(good.clone())),
    ] {
        let reply = webhook(&app, body, signature.as_deref()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{signature:?}");
    }
    assert_eq!(order_of(&app, order_id, &f.owner).await.summary.status, OrderStatus::Shipped);
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events").await, 2);

    // A job that is none of ours, and a topic we don't follow: 200, ignored.
    for body in [
        status_changed(job(999, "MSF-NONE-0000", "DELIVERED")),
        serde_json::to_vec(&json!({"topic": "SOMETHING_ELSE", "data": {}})).unwrap(),
    ] {
        assert_eq!(webhook(&app, &body, Some(&signature(SECRET, &body))).await.status, StatusCode::OK);
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events").await, 2);

    // A body over 256 KB is refused before anything reads it.
    let huge = vec![b' '; 300 * 1024];
    let reply = webhook(&app, &huge, Some(&signature(SECRET, &huge))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Delivered, signed: the book is completed.
    let reply = webhook(&app, &delivered, Some(&good)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(order_of(&app, order_id, &f.owner).await.summary.status, OrderStatus::Delivered);
    assert_eq!(count(&pool, "SELECT count(*) FROM books WHERE status = 'completed'").await, 1);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_lost_webhook_is_caught_by_the_hourly_look(pool: PgPool) {
    let server = MockServer::start().await;
    lulu_basics(&server).await;
    files_normalized(&server).await;
    let app = lulu_app(&pool, &server).await;
    let (order_id, number, owner, _) = placed(&app, &pool).await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(job(JOB, &number, "CREATED")))
        .expect(1)
        .mount(&server)
        .await;
    assert!(fulfil::run_once(&app.state).await.unwrap());

    // Still with Lulu: the look changes nothing.
    let unpaid = Mock::given(method("GET"))
        .and(path(format!("/print-jobs/{JOB}/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(job(JOB, &number, "UNPAID")))
        .expect(1)
        .mount_as_scoped(&server)
        .await;
    assert_eq!(fulfil::poll_once(&app.state).await.unwrap(), 0);
    drop(unpaid);

    // Shipped, and the webhook never came: the next look ships it, once.
    Mock::given(method("GET"))
        .and(path(format!("/print-jobs/{JOB}/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(shipped(JOB, &number)))
        .mount(&server)
        .await;
    assert_eq!(fulfil::poll_once(&app.state).await.unwrap(), 1);
    let mine = order_of(&app, order_id, &owner).await;
    assert_eq!(mine.summary.status, OrderStatus::Shipped);
    assert_eq!(mine.tracking_number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(mine.events.last().map(|e| e.actor), Some(Actor::Printer));
    assert_eq!(fulfil::poll_once(&app.state).await.unwrap(), 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events WHERE to_status = 'shipped'").await, 1);

    // Delivered orders are no longer asked about.
    sqlx::query("UPDATE book_orders SET status = 'delivered'").execute(&pool).await.unwrap();
    let before = server.received_requests().await.unwrap().len();
    assert_eq!(fulfil::poll_once(&app.state).await.unwrap(), 0);
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn files_lulu_refuses_cancel_the_order_with_its_reasons(pool: PgPool) {
    let server = MockServer::start().await;
    lulu_basics(&server).await;
    let app = lulu_app(&pool, &server).await;
    let (order_id, _, owner, _) = placed(&app, &pool).await;
    Mock::given(method("POST"))
        .and(path("/validate-interior/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 11, "status": "ERROR",
            "errors": ["Fonts are not embedded.", "Pages have different sizes."]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;

    assert!(fulfil::run_once(&app.state).await.unwrap());
    let mine = order_of(&app, order_id, &owner).await;
    assert_eq!(mine.summary.status, OrderStatus::Cancelled);
    assert!(!mine.waiting_for_printer);
    let last = mine.events.last().unwrap();
    assert_eq!(last.actor, Actor::System);
    let why = "The printer could not accept the book's files: Fonts are not embedded. Pages have different sizes.";
    assert_eq!(last.note.as_deref(), Some(why));
    let cancelled = mails(&pool, "Order MSF-%: cancelled").await;
    assert_eq!(cancelled.len(), 1);
    assert!(cancelled[0].contains(why), "{}", cancelled[0]);
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'submit_print_job' AND status = 'done'").await, 1);
    assert_eq!(provider_job(&pool).await, None);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_job_whose_answer_was_lost_is_found_and_an_unreachable_lulu_is_tried_again(pool: PgPool) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/realms/glasstree/protocol/openid-connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "t1", "expires_in": 3600})))
        .mount(&server)
        .await;
    let app = lulu_app(&pool, &server).await;
    // Lulu's price, whatever it is: this test is about sending.
    Mock::given(method("POST"))
        .and(path("/print-job-cost-calculations/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "currency": "USD", "line_item_costs": [{"total_cost_excl_tax": "20.00"}],
            "shipping_cost": {"total_cost_excl_tax": "5.00"},
            "total_cost_excl_tax": "25.00", "total_tax": "0.00", "total_cost_incl_tax": "25.00"
        })))
        .mount(&server)
        .await;
    let (order_id, number, owner, _) = placed(&app, &pool).await;

    // Lulu is down: the job is tried again later and the order waits.
    let down = Mock::given(method("GET"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(503))
        .mount_as_scoped(&server)
        .await;
    assert!(fulfil::run_once(&app.state).await.unwrap());
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM jobs WHERE kind = 'submit_print_job'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(order_of(&app, order_id, &owner).await.waiting_for_printer);
    drop(down);

    // An earlier attempt's job is found by the order number: recorded, not sent again.
    Mock::given(method("GET"))
        .and(path("/print-jobs/"))
        .and(query_param("search", number.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [job(JOB, &number, "CREATED")]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    sqlx::query("UPDATE jobs SET run_at = now()").execute(&pool).await.unwrap();
    assert!(fulfil::run_once(&app.state).await.unwrap());
    assert_eq!(provider_job(&pool).await.as_deref(), Some("4242"));
    assert!(!order_of(&app, order_id, &owner).await.waiting_for_printer);
    assert_eq!(count(&pool, "SELECT count(*) FROM jobs WHERE kind = 'submit_print_job' AND status = 'done'").await, 1);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn cancelling_an_order_lulu_has_cancels_its_print_job_there_until_printing_starts(pool: PgPool) {
    let server = MockServer::start().await;
    lulu_basics(&server).await;
    files_normalized(&server).await;
    let app = lulu_app(&pool, &server).await;
    let (order_id, number, owner, _) = placed(&app, &pool).await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(job(JOB, &number, "CREATED")))
        .mount(&server)
        .await;
    assert!(fulfil::run_once(&app.state).await.unwrap());

    // Lulu started printing and its webhook is late: cancelling is refused, nothing changes.
    let printing = Mock::given(method("GET"))
        .and(path(format!("/print-jobs/{JOB}/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(job(JOB, &number, "IN_PRODUCTION")))
        .mount_as_scoped(&server)
        .await;
    let reply = app.call(CancelOrder { order_id }, Some(&owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert!(reply.body.contains("The printer has started on this order"), "{}", reply.body);
    assert_eq!(order_of(&app, order_id, &owner).await.summary.status, OrderStatus::Pending);
    drop(printing);

    // Not started: Lulu's job is cancelled first, then the order.
    Mock::given(method("GET"))
        .and(path(format!("/print-jobs/{JOB}/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(job(JOB, &number, "UNPAID")))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("/print-jobs/{JOB}/status/")))
        .and(body_partial_json(json!({"name": "CANCELED"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "CANCELED"})))
        .expect(1)
        .mount(&server)
        .await;
    // Someone else's order: not found, and nothing is cancelled at Lulu.
    let stranger = app.logged_in("outsider@example.com").await;
    assert_eq!(app.call(CancelOrder { order_id }, Some(&stranger)).await.status, StatusCode::NOT_FOUND);
    let reply = app.call(CancelOrder { order_id }, Some(&owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mine = order_of(&app, order_id, &owner).await;
    assert_eq!(mine.summary.status, OrderStatus::Cancelled);
    assert_eq!(mine.events.last().map(|e| e.actor), Some(Actor::Customer));

    // Lulu's own report of the cancellation, later, changes nothing more.
    let body = status_changed(job(JOB, &number, "CANCELED"));
    assert_eq!(webhook(&app, &body, Some(&signature(SECRET, &body))).await.status, StatusCode::OK);
    assert_eq!(count(&pool, "SELECT count(*) FROM order_events WHERE to_status = 'cancelled'").await, 1);
}
