//! Sending print jobs, following and cancelling them, and Lulu's refusals.
use super::*;

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
