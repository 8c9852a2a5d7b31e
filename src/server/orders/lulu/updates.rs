//! What Lulu tells us about a print job, in its answers and its webhooks: the status mapped
//! onto our order's, tracking, and the signed webhook that carries them.
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use super::answers::decode_hex;
use super::wire::JobJson;
use super::WEBHOOK_TOPIC;
use crate::model::order::OrderStatus;

/// What a Lulu status means for our order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// Still with Lulu before printing (created, unpaid, being paid, production delay): the
    /// order stays pending; nothing to record.
    Waiting,
    /// The order moves to this status.
    Status(OrderStatus),
    /// Lulu refused the job or production failed (REJECTED, ERROR); [`JobUpdate::message`]
    /// says why. Staff decide: fix and send again, or cancel.
    Rejected,
    /// A status this code doesn't know (logged): change nothing.
    Unknown,
}

/// Maps a Lulu print-job status onto our order's.
pub fn map_status(name: &str) -> Mapped {
    match name {
        "CREATED" | "ACCEPTED" | "UNPAID" | "PAYMENT_IN_PROGRESS" | "PRODUCTION_DELAYED" | "PRODUCTION_READY" => {
            Mapped::Waiting
        }
        "IN_PRODUCTION" => Mapped::Status(OrderStatus::Processing),
        "SHIPPED" => Mapped::Status(OrderStatus::Shipped),
        "DELIVERED" => Mapped::Status(OrderStatus::Delivered),
        "CANCELED" | "CANCELLED" => Mapped::Status(OrderStatus::Cancelled),
        "REJECTED" | "ERROR" => Mapped::Rejected,
        other => {
            tracing::warn!(status = other, "Lulu reported a print-job status this code doesn't know; nothing changes");
            Mapped::Unknown
        }
    }
}

/// Where the parcel is, once shipped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tracking {
    pub number: Option<String>,
    pub carrier: Option<String>,
    pub url: Option<String>,
}

/// A print job as Lulu last described it (its answer to a request, or a webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobUpdate {
    /// Lulu's print-job id.
    pub id: i64,
    pub external_id: Option<String>,
    /// Lulu's status name, as sent.
    pub status: String,
    pub mapped: Mapped,
    /// Lulu's words about the status: the job's message, then each line's errors.
    pub message: Option<String>,
    pub changed: Option<DateTime<Utc>>,
    pub tracking: Option<Tracking>,
    /// Lulu's latest expected arrival.
    pub estimated_delivery: Option<NaiveDate>,
}

/// Whether `signature` (the `Lulu-HMAC-SHA256` header) is the HMAC-SHA256 of the raw `body`
/// keyed with our API secret. Lulu's docs don't name the digest's encoding: hex (either case)
/// and base64 are both accepted, each carrying all 256 bits. Compared in constant time.
pub fn verify_webhook(secret: &str, signature: Option<&str>, body: &[u8]) -> bool {
    let Some(given) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
        return false;
    };
    if secret.is_empty() {
        return false;
    }
    let candidates =
        [decode_hex(given), base64::Engine::decode(&base64::engine::general_purpose::STANDARD, given).ok()];
    candidates.into_iter().flatten().filter(|bytes| bytes.len() == 32).any(|bytes| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(&bytes).is_ok()
    })
}

/// Reads a webhook's body (check [`verify_webhook`] first). `Ok(None)` for a topic other than
/// PRINT_JOB_STATUS_CHANGED: answer 200 and ignore it (Lulu turns a webhook off after five
/// failed deliveries). `Err` says why the body isn't a webhook Lulu sends.
pub fn parse_webhook(body: &[u8]) -> Result<Option<JobUpdate>, String> {
    #[derive(Deserialize)]
    struct Webhook {
        topic: String,
        #[serde(default)]
        data: Value,
    }
    let hook: Webhook = serde_json::from_slice(body).map_err(|err| format!("This is not a Lulu webhook: {err}"))?;
    if hook.topic != WEBHOOK_TOPIC {
        tracing::info!(topic = %hook.topic, "a Lulu webhook with a topic this code doesn't follow");
        return Ok(None);
    }
    let job: JobJson = serde_json::from_value(hook.data)
        .map_err(|err| format!("The print job in Lulu's webhook could not be read: {err}"))?;
    Ok(Some(job.into_update()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
