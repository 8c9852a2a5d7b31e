use std::str::FromStr;

use base64::Engine;
use serde_json::json;
use wiremock::matchers::{body_json, body_partial_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::model::book::{Binding, Paper};
use crate::model::order::{Finish, Interior};

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

#[test]
fn configuration_is_checked_and_the_secret_stays_out_of_logs() {
    assert!(matches!(Lulu::new(LuluConfig::new("api.lulu.com", "k", "s")), Err(LuluError::Misconfigured(_))));
    assert!(matches!(Lulu::new(LuluConfig::new(PRODUCTION_URL, "k", " ")), Err(LuluError::Misconfigured(_))));
    let config = LuluConfig::new(SANDBOX_URL, "client-key", "client-secret");
    assert!(!format!("{config:?}").contains("client-secret"));
    assert!(!format!("{:?}", Lulu::new(config).unwrap()).contains("client-secret"));
}

mod files;
mod jobs;
mod prices;
mod webhooks;
