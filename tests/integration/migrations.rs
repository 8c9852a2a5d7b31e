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

/// `mystoryflow migrate …` against `pool`'s database.
fn migrate_command(database: &str, args: &[&str], dir: &std::path::Path) -> (bool, String) {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (before, after) = base.split_once('?').map_or((base.as_str(), ""), |(b, a)| (b, a));
    let url = format!(
        "{}/{database}{}{after}",
        &before[..before.rfind('/').unwrap()],
        if after.is_empty() { "" } else { "?" }
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mystoryflow"))
        .arg("migrate")
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .current_dir(dir)
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[sqlx::test]
async fn the_migrate_commands_show_revert_reapply_and_add(pool: PgPool) {
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
    let line = |status: &str| status.lines().find(|l| l.starts_with(&latest.to_string())).unwrap_or("").to_owned();

    let (ok, status) = migrate_command(&database, &["status"], repo);
    assert!(ok, "{status}");
    assert!(line(&status).ends_with(" applied"), "{status}");
    let (ok, out) = migrate_command(&database, &["revert"], repo);
    assert!(ok && out.contains(&format!("reverted {latest}")), "{out}");
    let (_, status) = migrate_command(&database, &["status"], repo);
    assert!(line(&status).ends_with(" pending"), "{status}");
    let (ok, out) = migrate_command(&database, &["run"], repo);
    assert!(ok, "{out}");
    let (_, status) = migrate_command(&database, &["status"], repo);
    assert!(status.lines().all(|l| l.ends_with(" applied")), "{status}");

    let scratch = std::env::temp_dir().join(format!("msf-migrate-add-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(scratch.join("migrations")).unwrap();
    std::fs::write(scratch.join("migrations/99990101000001_future.up.sql"), "").unwrap();
    let (ok, out) = migrate_command(&database, &["add", "order_notes"], &scratch);
    assert!(ok, "{out}");
    let mut made: Vec<String> = std::fs::read_dir(scratch.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    made.sort();
    assert_eq!(
        made,
        ["99990101000001_future.up.sql", "99990101000002_order_notes.down.sql", "99990101000002_order_notes.up.sql"],
        "numbered after the latest"
    );
    let (ok, out) = migrate_command(&database, &["add", "Bad Name"], &scratch);
    assert!(!ok && out.contains("lowercase"), "{out}");
    std::fs::remove_dir_all(scratch).unwrap();
}
