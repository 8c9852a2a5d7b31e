//! `migrate run|status|revert|add`.
use super::*;

pub(super) async fn migrate(config: Config) -> Result<()> {
    let url = config.database_url.context("DATABASE_URL must be set to migrate")?;
    let pool = PgPoolOptions::new().max_connections(1).connect(&url).await?;
    MIGRATOR.run(&pool).await.context("running database migrations")?;
    pool.close().await;
    Ok(())
}

pub(super) async fn migration_pool(config: &Config) -> Result<sqlx::PgPool> {
    let url = config
        .database_url
        .clone()
        .context("DATABASE_URL must be set (for the private PostgreSQL: DATABASE_URL=$(mystoryflow db url))")?;
    Ok(PgPoolOptions::new().max_connections(1).connect(&url).await?)
}

/// (version, checksum) of every migration the database has run.
pub(super) async fn applied(pool: &sqlx::PgPool) -> Result<Vec<(i64, Vec<u8>)>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(pool).await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(pool)
        .await?)
}

pub(super) async fn migrate_status(config: Config) -> Result<()> {
    let pool = migration_pool(&config).await?;
    let done = applied(&pool).await?;
    for m in MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration()) {
        let state = match done.iter().find(|(v, _)| *v == m.version) {
            Some((_, sum)) if sum.as_slice() == &*m.checksum => "applied",
            Some(_) => "applied, but the file changed since (never edit a migration that ran)",
            None => "pending",
        };
        println!("{} {:<45} {state}", m.version, m.description);
    }
    pool.close().await;
    Ok(())
}

pub(super) async fn migrate_revert(config: Config) -> Result<()> {
    let pool = migration_pool(&config).await?;
    let done = applied(&pool).await?;
    let Some((latest, _)) = done.last() else {
        anyhow::bail!("no migration has been applied");
    };
    let target = done.iter().rev().nth(1).map_or(0, |(v, _)| *v);
    MIGRATOR.undo(&pool, target).await.context("reverting the latest migration")?;
    println!("reverted {latest}");
    pool.close().await;
    Ok(())
}

/// A reversible pair in ./migrations, numbered after the latest (and never before now).
pub(super) fn migrate_add(name: &str) -> Result<Vec<PathBuf>> {
    let shaped = !name.is_empty()
        && name.len() <= 60
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    anyhow::ensure!(shaped, "the name must be lowercase letters, digits and _, e.g. add_order_notes");
    let dir = PathBuf::from("migrations");
    anyhow::ensure!(dir.is_dir(), "run this in the repository: there is no ./migrations folder");
    let latest = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.file_name().to_str()?.split('_').next()?.parse::<i64>().ok())
        .max()
        .unwrap_or(0);
    let now: i64 = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string().parse()?;
    let version = now.max(latest + 1);
    let mut written = Vec::new();
    for (kind, body) in [
        ("up", "-- What this migration changes, and why.\n"),
        ("down", "-- Undo exactly what the .up.sql did, in reverse order.\n"),
    ] {
        let path = dir.join(format!("{version}_{name}.{kind}.sql"));
        std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
