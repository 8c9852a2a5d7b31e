//! The health check's query: does the database answer?
use super::Db;

pub async fn ping(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT 1 AS "one!""#).fetch_one(db.pool()).await?;
    Ok(())
}
