//! Every migration reverts, leaving an empty schema, and applies again.
use mystoryflow::server::db::MIGRATOR;
use sqlx::PgPool;

async fn leftovers(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT 'relation ' || relname FROM pg_class
           WHERE relnamespace = 'public'::regnamespace AND relname NOT LIKE '\\_sqlx\\_migrations%'
         UNION ALL
         SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
         UNION ALL
         SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = 'auth'
         UNION ALL
         SELECT 'type ' || typname FROM pg_type
           WHERE typnamespace = 'public'::regnamespace AND typname NOT LIKE '%sqlx_migrations%'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn all_migrations_revert_to_an_empty_schema_and_reapply(pool: PgPool) {
    MIGRATOR.run(&pool).await.unwrap();
    assert!(!leftovers(&pool).await.is_empty());

    MIGRATOR.undo(&pool, 0).await.unwrap();
    assert_eq!(leftovers(&pool).await, Vec::<String>::new());

    MIGRATOR.run(&pool).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'
         AND tablename IN ('users','campaigns','stories','family_members','books','book_orders','photos')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(tables, 7);
}

#[test]
fn every_migration_has_a_down_script() {
    for migration in MIGRATOR.iter() {
        if migration.migration_type.is_up_migration() {
            assert!(
                MIGRATOR.iter().any(|m| m.version == migration.version && m.migration_type.is_down_migration()),
                "migration {} has no .down.sql",
                migration.description
            );
        }
    }
}

/// A migration that has landed is never edited (databases that ran it would refuse to start):
/// every migration file must match the checksum committed in tests/landed-migrations.txt,
/// and a new one must be added there.
#[test]
fn landed_migrations_are_never_edited() {
    use sha2::{Digest, Sha384};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let landed: std::collections::BTreeMap<String, String> =
        std::fs::read_to_string(root.join("tests/landed-migrations.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let (file, sum) = l.split_once(' ').unwrap();
                (file.to_owned(), sum.trim().to_owned())
            })
            .collect();
    let mut problems = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(root.join("migrations")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".sql") {
            continue;
        }
        files += 1;
        let sum = hex(&Sha384::digest(std::fs::read(&path).unwrap()));
        match landed.get(&name) {
            Some(expected) if *expected == sum => {}
            Some(_) => problems.push(format!("{name} was edited after it landed: revert it and add a new migration")),
            None => {
                problems.push(format!("{name} is new: add this line to tests/landed-migrations.txt:\n{name} {sum}"))
            }
        }
    }
    assert_eq!(files, landed.len(), "a landed migration file is missing");
    // The same checksums sqlx compares when it migrates a database.
    for migration in MIGRATOR.iter() {
        let up_or_down = if migration.migration_type.is_down_migration() { "down" } else { "up" };
        let name = format!("{}_{}.{up_or_down}.sql", migration.version, migration.description.replace(' ', "_"));
        assert_eq!(landed.get(&name).map(String::as_str), Some(hex(&migration.checksum).as_str()), "{name}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
