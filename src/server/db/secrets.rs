//! The server's own secrets, kept in the database so that a database backup carries them.
use super::Db;

const LINK_SIGNING_KEY: &str = "link_signing_key";

/// The link-signing key: the stored one, else `proposed` (stored now). Two instances starting
/// at once agree on one key: the first insert wins and both read it back.
pub async fn link_signing_key(db: &Db, proposed: [u8; 32]) -> Result<[u8; 32], sqlx::Error> {
    sqlx::query!(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        LINK_SIGNING_KEY,
        proposed.as_slice()
    )
    .execute(db.pool())
    .await?;
    let stored = sqlx::query_scalar!("SELECT value FROM server_secrets WHERE name = $1", LINK_SIGNING_KEY)
        .fetch_one(db.pool())
        .await?;
    // The table's check constraint keeps it 32 bytes long.
    stored.try_into().map_err(|_| sqlx::Error::Decode("link_signing_key is not 32 bytes".into()))
}
