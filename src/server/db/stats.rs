//! What the current transaction has cost, from PostgreSQL's per-transaction counters.
use super::UserTx;

/// Rows the transaction has read so far, by sequential and index scans, in every table:
/// what `tests/integration/rows_read.rs` holds each page's queries to.
pub async fn rows_read(tx: &mut UserTx) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::bigint FROM pg_stat_xact_user_tables",
    )
    .fetch_one(tx.conn())
    .await
}
