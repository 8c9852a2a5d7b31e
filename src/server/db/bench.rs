//! The Fortunes baseline's query (`scripts/bench.sh` creates the `fortune` table).
use super::Db;

/// Every fortune, as (id, message). Not checked at compile time: the table is not part of
/// the app's schema.
pub async fn fortunes(db: &Db) -> Result<Vec<(i32, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, message FROM fortune").fetch_all(db.pool()).await
}
