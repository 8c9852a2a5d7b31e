//! Lulu's signed webhooks.
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::super::answers::decode_hex;
use super::*;

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
