//! Queuing mail in the member's own transaction, so it is sent only if that commits.
use serde_json::Value;

use super::UserTx;

/// Queues one message (an `OutgoingMail` as JSON). Members have no grant on the job queue;
/// `enqueue_mail` queues mail for them.
pub async fn enqueue(tx: &mut UserTx, payload: Value) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT enqueue_mail($1)", payload).fetch_one(tx.conn()).await?;
    Ok(())
}
