//! Checking the book's interior and cover files.
use super::*;

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
