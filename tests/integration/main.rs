//! Database and HTTP tests: each `#[sqlx::test]` gets a fresh, migrated database.
mod accounts;
mod authz;
mod books;
mod campaigns;
mod family;
mod helpers;
mod http;
mod jobs;
mod media;
mod migrations;
mod rls;
mod routes;
mod rows_read;
mod schema;
mod stories;
