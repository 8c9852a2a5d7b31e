use std::str::FromStr;

use base64::Engine;
use serde_json::json;
use wiremock::matchers::{body_json, body_partial_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

const ORDER: &str = "MSF-7K3Q-9XTP";
const POD: &str = "0600X0900.FC.STD.CW.060UW444.MXX";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn config(server: &MockServer) -> LuluConfig {
    LuluConfig {
        poll_interval: Duration::from_millis(1),
        poll_attempts: 5,
        ..LuluConfig::new(server.uri(), "client-key", "client-secret")
    }
}

fn lulu(server: &MockServer) -> Lulu {
    Lulu::new(config(server)).unwrap()
}

/// Lulu's token answer ("Generate a Token"), for the Basic credentials and form body only.
fn token_mock(token: &str, expires_in: u64) -> Mock {
    let basic = base64::engine::general_purpose::STANDARD.encode("client-key:client-secret");
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token,
            "expires_in": expires_in,
            "refresh_expires_in": 604800,
            "refresh_token": "not-used",
            "token_type": "bearer",
            "not-before-policy": 0,
            "session_state": "a856fb91-eafc-460e-8f6a-f09325062c88"
        })))
}

fn bearer(token: &str) -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {token}").as_str())
}

fn address() -> ShippingAddress {
    ShippingAddress {
        name: "Ann Example".into(),
        line1: "101 Independence Ave SE".into(),
        line2: "Flat 2".into(),
        city: "Washington".into(),
        state: "DC".into(),
        postal_code: "20540".into(),
        country: "US".into(),
        phone: "+1 206 555 0100".into(),
    }
}

fn options() -> PrintOptions {
    PrintOptions {
        binding: Binding::Hardcover,
        interior: Interior::StandardColour,
        paper: Paper::Standard60,
        finish: Finish::Matte,
        quantity: 20,
        shipping: ShippingLevel::Express,
    }
}

/// A print job as Print-Jobs_read answers it (Lulu's example, with our values).
fn job(id: i64, external_id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "external_id": external_id,
        "contact_email": "orders@mystoryflow.example",
        "date_created": "2026-11-28T08:47:26.485456Z",
        "date_modified": "2026-11-28T08:47:26.485490Z",
        "estimated_shipping_dates": {
            "arrival_max": "2026-12-12", "arrival_min": "2026-12-08",
            "dispatch_max": "2026-12-05", "dispatch_min": "2026-12-03"
        },
        "line_items": [{
            "external_id": external_id,
            "id": 1,
            "printable_id": null,
            "printable_normalization": {
                "cover": {"job_id": null, "normalized_file": null, "source_url": "https://files.example/cover.pdf"},
                "interior": {"job_id": null, "normalized_file": null, "source_url": "https://files.example/interior.pdf"},
                "pod_package_id": POD
            },
            "quantity": 2,
            "status": {"messages": {}, "name": "CREATED"},
            "title": "Our Family",
            "tracking_id": null,
            "tracking_urls": null,
            "carrier_name": null
        }],
        "order_id": null,
        "production_delay": 60,
        "production_due_time": null,
        "shipping_address": {"name": "Ann Example", "street1": "101 Independence Ave SE", "city": "Washington",
                             "country_code": "US", "postcode": "20540", "state_code": "DC",
                             "phone_number": "+1 206 555 0100"},
        "shipping_level": "GROUND",
        "status": {"changed": "2026-11-28T08:48:00.529399Z", "message": "Print-job is currently being validated", "name": status}
    })
}

/// A shipped job: tracking in the line's status messages, as "Shipping Notification" shows.
fn shipped(id: i64) -> Value {
    let mut job = job(id, ORDER, "SHIPPED");
    job["status"]["message"] = "All line-items were shipped".into();
    job["line_items"][0]["status"] = json!({
        "name": "SHIPPED",
        "messages": {
            "tracking_id": "3d4a53da-cc42-44c2-b47b-c3da8fa37491_1",
            "tracking_urls": ["https://api.sandbox.lulu.com/printer-wannabe-tracking/3d4a53da-cc42-44c2-b47b-c3da8fa37491_1"],
            "carrier_name": "Carrier"
        }
    });
    job
}

#[tokio::test]
async fn a_token_is_fetched_once_and_reused() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/7/"))
        .and(bearer("t1"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(job(7, ORDER, "CREATED")))
        .expect(2)
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    assert_eq!(lulu.print_job(7).await.unwrap().id, 7);
    assert_eq!(lulu.print_job(7).await.unwrap().status, "CREATED");
}

#[tokio::test]
async fn an_expiring_token_is_replaced_before_use() {
    let server = MockServer::start().await;
    // Expires now: each call needs a new one.
    token_mock("t1", 0).expect(2).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/7/"))
        .and(bearer("t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(job(7, ORDER, "CREATED")))
        .expect(2)
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    lulu.print_job(7).await.unwrap();
    lulu.print_job(7).await.unwrap();
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_the_call_tried_once_more() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).up_to_n_times(1).expect(1).mount(&server).await;
    token_mock("t2", 3600).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/7/"))
        .and(bearer("t1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token expired."})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/7/"))
        .and(bearer("t2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(job(7, ORDER, "UNPAID")))
        .expect(2)
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    assert_eq!(lulu.print_job(7).await.unwrap().mapped, Mapped::Waiting);
    // The new token is kept.
    lulu.print_job(7).await.unwrap();
}

#[tokio::test]
async fn a_second_refusal_means_the_credentials_are_wrong() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).expect(2).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/7/"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"detail": "Authentication credentials were not provided."})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let err = lulu(&server).print_job(7).await.unwrap_err();
    assert!(matches!(err, LuluError::Misconfigured(_)), "{err:?}");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn refused_credentials_at_the_token_endpoint_are_a_misconfiguration() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "unauthorized_client", "error_description": "Invalid client secret"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = lulu(&server).print_job(7).await.unwrap_err();
    let LuluError::Misconfigured(message) = err else { panic!("{err:?}") };
    assert!(message.contains("Invalid client secret"), "{message}");
}

/// Print-Job-cost-calculations_create's example answer, for one line.
fn cost_answer() -> Value {
    json!({
        "currency": "USD",
        "fees": [{"currency": "USD", "fee_type": "FULFILLMENT_FEE", "sku": "FULFILLMENT_FEE", "tax_rate": "0.060000",
                  "total_cost_excl_tax": "0.75", "total_cost_incl_tax": "0.80", "total_tax": "0.05"}],
        "fulfillment_cost": {"tax_rate": "0.06", "total_cost_excl_tax": "0.75", "total_cost_incl_tax": "0.80", "total_tax": "0.05"},
        "line_item_costs": [{
            "cost_excl_discounts": "2.55", "discounts": [], "quantity": 20, "tax_rate": "0.060000",
            "total_cost_excl_discounts": "51.00", "total_cost_excl_tax": "51.00",
            "total_cost_incl_tax": "54.06", "total_tax": "3.06", "unit_tier_cost": null
        }],
        "shipping_address": {"city": "Washington", "country_code": "US", "postcode": "20540", "state_code": "DC",
                             "street1": "101 Independence Ave SE", "phone_number": "+1 206 555 0100", "warnings": []},
        "shipping_cost": {"tax_rate": "0.06", "total_cost_excl_tax": "318.44", "total_cost_incl_tax": "337.55", "total_tax": "19.11"},
        "total_cost_excl_tax": "370.19",
        "total_cost_incl_tax": "392.41",
        "total_discount_amount": "0.00",
        "total_tax": "22.22"
    })
}

#[tokio::test]
async fn a_cost_is_exact_and_reused_for_the_same_request() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).expect(1).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/print-job-cost-calculations/"))
        .and(bearer("t1"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "line_items": [{"page_count": 120, "pod_package_id": POD, "quantity": 20}],
            "shipping_address": {
                "street1": "101 Independence Ave SE", "street2": "Flat 2", "city": "Washington",
                "state_code": "DC", "country_code": "US", "postcode": "20540", "phone_number": "+1 206 555 0100"
            },
            "shipping_option": "EXPRESS"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(cost_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    let cost = lulu.cost(&options(), TrimSize::Trade6x9, 120, &address()).await.unwrap();
    assert_eq!(
        cost,
        Cost {
            currency: "USD".into(),
            quantity: 20,
            unit: d("2.55"),
            printing: d("51.00"),
            shipping: d("318.44"),
            fees: d("0.75"),
            tax: d("22.22"),
            total: d("392.41"),
        }
    );
    assert_eq!(lulu.cost(&options(), TrimSize::Trade6x9, 120, &address()).await.unwrap(), cost);

    let priced = cost.priced();
    assert_eq!(
        (priced.printing, priced.shipping, priced.tax, priced.total),
        (d("51.00"), d("319.19"), Some(d("22.22")), d("392.41"))
    );
    assert_eq!(priced.printing + priced.shipping + priced.tax.unwrap_or_default(), priced.total);
    let quote = priced.quote(&options(), "US");
    assert_eq!(quote.lines[0].label, "Printing: 20 × $2.55");
    assert_eq!(quote.lines[2].amount, "$22.22");
    assert_eq!(quote.total, "$392.41");
}

#[tokio::test]
async fn a_discounted_line_is_priced_per_copy_after_the_discount() {
    let answer = json!({
        "currency": "EUR",
        "line_item_costs": [{"cost_excl_discounts": "1.48", "cost_excl_tax": "0.74", "quantity": 20,
                             "total_cost_excl_discounts": "29.60", "total_cost_excl_tax": "14.80",
                             "total_cost_incl_tax": "15.84", "total_tax": "1.04", "discounts": []}],
        "shipping_cost": {"total_cost_excl_tax": "65.99", "total_cost_incl_tax": "70.61", "total_tax": "4.62"},
        "total_cost_excl_tax": "80.79", "total_cost_incl_tax": "86.45", "total_tax": "5.66"
    });
    let cost = serde_json::from_value::<CostJson>(answer).unwrap().into_cost(20).unwrap();
    assert_eq!((cost.unit, cost.fees, cost.currency.as_str()), (d("0.74"), d("0.00"), "EUR"));
}

#[tokio::test]
async fn an_interior_is_polled_until_normalised() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).expect(1).mount(&server).await;
    let url = "https://files.example/interior.pdf";
    Mock::given(method("POST"))
        .and(path("/validate-interior/"))
        .and(bearer("t1"))
        .and(body_json(json!({"source_url": url, "pod_package_id": POD})))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({"id": 11, "source_url": url, "page_count": null, "errors": null, "status": "VALIDATING", "valid_pod_package_ids": null}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-interior/11/"))
        .and(bearer("t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": 11, "source_url": url, "page_count": 120, "errors": null, "status": "NORMALIZING"}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-interior/11/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": 11, "source_url": url, "page_count": 120, "errors": [], "status": "NORMALIZED"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    lulu(&server).validate_interior(url, POD).await.unwrap();
}

#[tokio::test]
async fn a_refused_interior_comes_back_with_lulus_reasons() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/validate-interior/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 12, "status": "VALIDATING"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-interior/12/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 12, "status": "ERROR",
            "errors": ["Fonts are not embedded.", "Pages have different sizes."]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = lulu(&server).validate_interior("https://files.example/interior.pdf", POD).await.unwrap_err();
    assert_eq!(
        err,
        LuluError::FileRefused(vec!["Fonts are not embedded.".into(), "Pages have different sizes.".into()])
    );
}

#[tokio::test]
async fn a_cover_is_checked_against_the_page_count() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    let url = "https://files.example/cover.pdf";
    Mock::given(method("POST"))
        .and(path("/validate-cover/"))
        .and(bearer("t1"))
        .and(body_json(json!({"source_url": url, "pod_package_id": POD, "interior_page_count": 120})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 21, "source_url": url, "errors": null, "status": "NORMALIZING"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-cover/21/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 21, "source_url": url, "errors": null, "status": "NORMALIZED"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    lulu(&server).validate_cover(url, POD, 120).await.unwrap();

    // A cover for another page count is refused.
    Mock::given(method("POST"))
        .and(path("/validate-cover/"))
        .and(body_partial_json(json!({"interior_page_count": 64})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 22, "status": "NORMALIZING"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-cover/22/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 22, "status": "ERROR",
            "errors": ["The cover is 12.66 x 9.25 in; for 64 pages it must be 12.38 x 9.25 in."]
        })))
        .mount(&server)
        .await;
    let err = lulu(&server).validate_cover(url, POD, 64).await.unwrap_err();
    assert_eq!(
        err,
        LuluError::FileRefused(vec!["The cover is 12.66 x 9.25 in; for 64 pages it must be 12.38 x 9.25 in.".into()])
    );
}

#[tokio::test]
async fn a_check_that_never_ends_is_transient_and_validated_is_taken_as_good() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/validate-interior/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 31, "status": "VALIDATING"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-interior/31/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 31, "status": "VALIDATING"})))
        .expect(5)
        .mount(&server)
        .await;
    let err = lulu(&server).validate_interior("https://files.example/a.pdf", POD).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");

    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/validate-interior/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 32, "status": "VALIDATED"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/validate-interior/32/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 32, "status": "VALIDATED"})))
        .expect(5)
        .mount(&server)
        .await;
    lulu(&server).validate_interior("https://files.example/a.pdf", POD).await.unwrap();
}

fn new_job() -> NewPrintJob {
    NewPrintJob {
        external_id: ORDER.into(),
        contact_email: "orders@mystoryflow.example".into(),
        recipient_email: Some("ann@example.com".into()),
        title: "Our Family".into(),
        quantity: 2,
        pod_package_id: POD.into(),
        interior_url: "https://files.example/interior.pdf".into(),
        cover_url: "https://files.example/cover.pdf".into(),
        address: address(),
        shipping: ShippingLevel::Ground,
    }
}

#[tokio::test]
async fn a_print_job_is_sent_with_every_field() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).expect(1).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .and(bearer("t1"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "contact_email": "orders@mystoryflow.example",
            "external_id": ORDER,
            "line_items": [{
                "external_id": ORDER,
                "title": "Our Family",
                "quantity": 2,
                "printable_normalization": {
                    "cover": {"source_url": "https://files.example/cover.pdf"},
                    "interior": {"source_url": "https://files.example/interior.pdf"},
                    "pod_package_id": POD
                }
            }],
            "shipping_address": {
                "name": "Ann Example",
                "street1": "101 Independence Ave SE",
                "street2": "Flat 2",
                "city": "Washington",
                "state_code": "DC",
                "country_code": "US",
                "postcode": "20540",
                "phone_number": "+1 206 555 0100",
                "email": "ann@example.com"
            },
            "shipping_level": "GROUND"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(job(4242, ORDER, "CREATED")))
        .expect(1)
        .mount(&server)
        .await;
    let update = lulu(&server).create_print_job(&new_job()).await.unwrap();
    assert_eq!(update.id, 4242);
    assert_eq!(update.external_id.as_deref(), Some(ORDER));
    assert_eq!((update.status.as_str(), &update.mapped), ("CREATED", &Mapped::Waiting));
    assert_eq!(update.message.as_deref(), Some("Print-job is currently being validated"));
    assert_eq!(update.changed, "2026-11-28T08:48:00.529399Z".parse().ok());
    assert_eq!(update.estimated_delivery, NaiveDate::from_ymd_opt(2026, 12, 12));
    assert_eq!(update.tracking, None);
}

#[tokio::test]
async fn optional_address_lines_are_left_out_and_long_titles_cut() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    let job = NewPrintJob {
        title: "é".repeat(200),
        recipient_email: None,
        address: ShippingAddress { line2: String::new(), state: String::new(), ..address() },
        ..new_job()
    };
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .and(body_partial_json(json!({"line_items": [{"title": "é".repeat(127)}]})))
        .and(|request: &wiremock::Request| {
            let body: Value = request.body_json().unwrap_or_default();
            let address = &body["shipping_address"];
            ["street2", "state_code", "email"].iter().all(|field| address.get(field).is_none())
                && address["name"] == "Ann Example"
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(self::job(1, ORDER, "CREATED")))
        .expect(1)
        .mount(&server)
        .await;
    lulu(&server).create_print_job(&job).await.unwrap();
}

#[tokio::test]
async fn server_errors_and_timeouts_are_transient() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = lulu(&server).create_print_job(&new_job()).await.unwrap_err();
    assert_eq!(err, LuluError::Transient("Lulu answered HTTP 503".into()));
    assert!(err.is_transient());

    Mock::given(method("GET"))
        .and(path("/print-jobs/9/"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"detail": "Request was throttled."})))
        .mount(&server)
        .await;
    assert!(lulu(&server).print_job(9).await.unwrap_err().is_transient());

    // Nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = format!("http://127.0.0.1:{port}");
    let err = Lulu::new(LuluConfig::new(closed, "k", "s")).unwrap().print_job(1).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}

#[tokio::test]
async fn refusals_come_back_in_lulus_words() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/print-job-cost-calculations/"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "shipping_address": {"detail": {"errors": [
                {"type": "validation_error", "path": "postcode", "code": "INVALID", "message": "The postcode does not match the state."}
            ]}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/print-jobs/"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "line_items": [{"pod_package_id": ["Invalid pod package id."]}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/404/"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    let err = lulu.cost(&options(), TrimSize::Square8_5, 40, &address()).await.unwrap_err();
    assert_eq!(err, LuluError::Rejected("shipping address postcode: The postcode does not match the state.".into()));
    assert!(!err.is_transient());
    let err = lulu.create_print_job(&new_job()).await.unwrap_err();
    assert_eq!(err, LuluError::Rejected("line items pod package id: Invalid pod package id.".into()));
    assert_eq!(lulu.print_job(404).await.unwrap_err(), LuluError::Rejected("Not found.".into()));
}

#[test]
fn error_bodies_become_sentences() {
    let cases = [
        (r#"{"detail": "Not found."}"#, Some("Not found.")),
        (
            r#"{"shipping_address": {"postcode": ["This field is required."]}}"#,
            Some("shipping address postcode: This field is required."),
        ),
        (r#"{"non_field_errors": ["Too many copies.", "Too many copies."]}"#, Some("Too many copies.")),
        ("Bad gateway", Some("Bad gateway")),
        ("<html><body>502</body></html>", None),
        ("", None),
    ];
    for (body, expected) in cases {
        assert_eq!(readable(body.as_bytes()).as_deref(), expected, "{body}");
    }
}

#[tokio::test]
async fn a_shipped_job_has_its_tracking() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/42776/"))
        .and(bearer("t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(shipped(42776)))
        .expect(1)
        .mount(&server)
        .await;
    let update = lulu(&server).print_job(42776).await.unwrap();
    assert_eq!(update.mapped, Mapped::Status(OrderStatus::Shipped));
    assert_eq!(
        update.tracking,
        Some(Tracking {
            number: Some("3d4a53da-cc42-44c2-b47b-c3da8fa37491_1".into()),
            carrier: Some("Carrier".into()),
            url: Some(
                "https://api.sandbox.lulu.com/printer-wannabe-tracking/3d4a53da-cc42-44c2-b47b-c3da8fa37491_1".into()
            ),
        })
    );

    // Tracking on the line itself (the print job's schema) is read as well.
    let mut job = job(5, ORDER, "SHIPPED");
    job["line_items"][0]["tracking_id"] = "1Z999".into();
    job["line_items"][0]["tracking_urls"] = json!(["https://ups.example/1Z999"]);
    job["line_items"][0]["carrier_name"] = "UPS".into();
    let update = serde_json::from_value::<JobJson>(job).unwrap().into_update();
    let tracking = update.tracking.unwrap();
    assert_eq!((tracking.number.as_deref(), tracking.carrier.as_deref()), (Some("1Z999"), Some("UPS")));
}

#[tokio::test]
async fn a_rejected_job_says_why() {
    let mut job = job(6, ORDER, "REJECTED");
    job["status"]["message"] = "The files could not be normalized.".into();
    job["line_items"][0]["status"] = json!({
        "name": "REJECTED",
        "messages": {"printable_normalization": {"interior": ["Fonts are not embedded."], "cover": []}}
    });
    let update = serde_json::from_value::<JobJson>(job).unwrap().into_update();
    assert_eq!(update.mapped, Mapped::Rejected);
    assert_eq!(update.message.as_deref(), Some("The files could not be normalized. Interior: Fonts are not embedded."));
}

#[tokio::test]
async fn an_earlier_job_is_found_by_order_number() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/"))
        .and(bearer("t1"))
        .and(query_param("search", ORDER))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 3, "next": null, "previous": null,
            "results": [
                job(10, ORDER, "CANCELED"),
                job(11, &format!("{ORDER}-2"), "CREATED"),
                job(9, ORDER, "UNPAID")
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/print-jobs/"))
        .and(query_param("search", "MSF-NONE-0000"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"count": 0, "next": null, "previous": null, "results": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    let found = lulu.find_print_job(ORDER).await.unwrap().unwrap();
    assert_eq!((found.id, found.status.as_str()), (9, "UNPAID"), "the live job, not the cancelled one");
    assert_eq!(lulu.find_print_job("MSF-NONE-0000").await.unwrap(), None);
}

#[tokio::test]
async fn a_job_is_cancelled_through_its_status() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).mount(&server).await;
    Mock::given(method("PUT"))
        .and(path("/print-jobs/77/status/"))
        .and(bearer("t1"))
        .and(body_json(json!({"name": "CANCELED"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"name": "CANCELED", "message": "Canceled by user", "changed": "2026-11-28T09:00:00Z"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    lulu(&server).cancel_print_job(77).await.unwrap();
}

#[test]
fn lulu_statuses_map_onto_ours() {
    use OrderStatus::*;
    let table = [
        ("CREATED", Mapped::Waiting),
        ("UNPAID", Mapped::Waiting),
        ("PAYMENT_IN_PROGRESS", Mapped::Waiting),
        ("PRODUCTION_DELAYED", Mapped::Waiting),
        ("PRODUCTION_READY", Mapped::Waiting),
        ("IN_PRODUCTION", Mapped::Status(Processing)),
        ("SHIPPED", Mapped::Status(Shipped)),
        ("DELIVERED", Mapped::Status(Delivered)),
        ("CANCELED", Mapped::Status(Cancelled)),
        ("REJECTED", Mapped::Rejected),
        ("ERROR", Mapped::Rejected),
        ("LOST_IN_SPACE", Mapped::Unknown),
        ("", Mapped::Unknown),
    ];
    for (name, mapped) in table {
        assert_eq!(map_status(name), mapped, "{name}");
    }
    // Each move is one the printer may make from a pending order.
    for status in [Processing, Shipped, Delivered, Cancelled] {
        assert!(Pending.check(status, crate::model::order::Actor::Printer).is_ok(), "{status:?}");
    }
}

#[test]
fn products_have_lulus_package_ids() {
    use Binding::*;
    use Finish::*;
    use Interior::*;
    use Paper::*;
    use TrimSize::*;
    // Lulu's documented examples ("Select a Product", cost and print-job examples) that our
    // options can make, then the square and letter trims.
    let cases = [
        ((Trade6x9, Paperback, BlackWhite, Standard60, Matte), "0600X0900.BW.STD.PB.060UW444.MXX"),
        ((Trade6x9, Paperback, StandardColour, Premium80, Gloss), "0600X0900.FC.STD.PB.080CW444.GXX"),
        ((Square8_5, Hardcover, PremiumColour, Premium80, Matte), "0850X0850.FC.PRE.CW.080CW444.MXX"),
        ((Square8_5, Paperback, PremiumColour, Standard60, Gloss), "0850X0850.FC.PRE.PB.060UW444.GXX"),
        ((Letter8_5x11, Hardcover, BlackWhite, Standard60, Gloss), "0850X1100.BW.STD.CW.060UW444.GXX"),
        ((Letter8_5x11, Paperback, StandardColour, Standard60, Matte), "0850X1100.FC.STD.PB.060UW444.MXX"),
    ];
    for ((trim, binding, interior, paper, finish), expected) in cases {
        assert_eq!(pod_package_id(trim, binding, interior, paper, finish).as_deref(), Ok(expected));
    }
    // Without the dots, the legacy form: 0600X0900BWSTDPB060UW444MXX, 27 characters.
    let legacy = pod_package_id(Trade6x9, Paperback, BlackWhite, Standard60, Matte).unwrap().replace('.', "");
    assert_eq!(legacy, "0600X0900BWSTDPB060UW444MXX");
    // Every combination the form offers is one Lulu sells, and well formed.
    for trim in TrimSize::ALL {
        for binding in Binding::ALL {
            for interior in Interior::ALL {
                for paper in Paper::ALL {
                    for finish in Finish::ALL {
                        let id = pod_package_id(trim, binding, interior, paper, finish).unwrap();
                        let parts: Vec<&str> = id.split('.').collect();
                        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [9, 2, 3, 2, 8, 3], "{id}");
                        assert_eq!(id.replace('.', "").len(), 27, "{id}");
                    }
                }
            }
        }
    }
}

fn sign_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn webhooks_are_checked_against_the_secret() {
    let body = serde_json::to_vec(&json!({"topic": WEBHOOK_TOPIC, "data": shipped(42776)})).unwrap();
    let good = sign_hex("client-secret", &body);
    assert!(verify_webhook("client-secret", Some(&good), &body));
    assert!(verify_webhook("client-secret", Some(&good.to_uppercase()), &body));
    let base64 = base64::engine::general_purpose::STANDARD.encode(decode_hex(&good).unwrap());
    assert!(verify_webhook("client-secret", Some(&base64), &body));

    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert!(!verify_webhook("client-secret", Some(&good), &tampered), "changed body");
    assert!(!verify_webhook("another-secret", Some(&good), &body), "wrong secret");
    assert!(!verify_webhook("client-secret", None, &body), "missing");
    assert!(!verify_webhook("client-secret", Some(""), &body), "empty");
    assert!(!verify_webhook("client-secret", Some(&good[..40]), &body), "cut short");
    assert!(!verify_webhook("client-secret", Some("not a signature"), &body), "garbage");
    assert!(!verify_webhook("", Some(&sign_hex("", &body)), &body), "no secret configured");

    let lulu = Lulu::new(LuluConfig::new(SANDBOX_URL, "client-key", "client-secret")).unwrap();
    assert!(lulu.verify_webhook(Some(&good), &body));
}

#[test]
fn webhooks_are_read_as_job_updates() {
    let body = serde_json::to_vec(&json!({"topic": WEBHOOK_TOPIC, "data": shipped(42776)})).unwrap();
    let update = parse_webhook(&body).unwrap().unwrap();
    assert_eq!((update.id, update.external_id.as_deref()), (42776, Some(ORDER)));
    assert_eq!(update.mapped, Mapped::Status(OrderStatus::Shipped));
    assert_eq!(update.tracking.and_then(|t| t.carrier).as_deref(), Some("Carrier"));

    let other = serde_json::to_vec(&json!({"topic": "SOMETHING_ELSE", "data": {}})).unwrap();
    assert_eq!(parse_webhook(&other), Ok(None));
    assert!(parse_webhook(b"not json").is_err());
    assert!(parse_webhook(br#"{"topic": "PRINT_JOB_STATUS_CHANGED", "data": {"id": 1}}"#).is_err());
}

#[test]
fn configuration_is_checked_and_the_secret_stays_out_of_logs() {
    assert!(matches!(Lulu::new(LuluConfig::new("api.lulu.com", "k", "s")), Err(LuluError::Misconfigured(_))));
    assert!(matches!(Lulu::new(LuluConfig::new(PRODUCTION_URL, "k", " ")), Err(LuluError::Misconfigured(_))));
    let config = LuluConfig::new(SANDBOX_URL, "client-key", "client-secret");
    assert!(!format!("{config:?}").contains("client-secret"));
    assert!(!format!("{:?}", Lulu::new(config).unwrap()).contains("client-secret"));
}
