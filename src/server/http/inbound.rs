//! `POST /inbound/email`: an inbound-mail service (Postmark, Mailgun, SendGrid, Cloudflare
//! Email Workers…) posts each message for our reply address, raw, as the body.
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use crate::server::replies::{self, MAX_MESSAGE_BYTES};
use crate::server::state::AppState;

/// The header the service sends MSF_INBOUND_SECRET in.
pub const SECRET_HEADER: &str = "x-inbound-secret";

/// The most one posted message may be: the parser's limit and a little for line endings.
pub const BODY_LIMIT: usize = MAX_MESSAGE_BYTES + 64 * 1024;

/// 401 without the shared secret (nothing is read); 200 with what became of the message
/// (also when it was ignored: posting it again changes nothing); 429 or 503 when it should
/// be posted again later.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    let expected = state.inbound_secret.as_deref().map(str::as_bytes);
    let allowed = match (given, expected) {
        (Some(given), Some(expected)) => constant_time_eq(given, expected),
        _ => false,
    };
    if !allowed {
        tracing::warn!(with_secret = given.is_some(), "refused a message posted to /inbound/email without the secret");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match replies::receive(&state, &body).await {
        Ok(outcome) => Json(serde_json::json!({ "outcome": outcome.as_str() })).into_response(),
        Err(err) => err.into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use hmac::Mac;
    // Comparing two MACs under a fixed key takes the same time wherever they differ.
    let tag = |bytes: &[u8]| {
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(b"inbound-secret").expect("any key");
        mac.update(bytes);
        mac
    };
    tag(a).verify_slice(&tag(b).finalize().into_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_whole() {
        assert!(super::constant_time_eq(b"secret", b"secret"));
        assert!(!super::constant_time_eq(b"secret", b"secreT"));
        assert!(!super::constant_time_eq(b"secret", b"secret2"));
        assert!(!super::constant_time_eq(b"", b"secret"));
    }
}
