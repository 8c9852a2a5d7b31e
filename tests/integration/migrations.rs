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
