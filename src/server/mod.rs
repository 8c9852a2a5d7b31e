//! Server-only code: configuration, the database, authentication and the HTTP wiring.
pub mod auth;
pub mod authz;
pub mod books;
pub mod cli;
pub mod config;
pub mod db;
pub mod health;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod media;
pub mod notify;
pub mod postgres;
pub mod request;
pub mod router;
pub mod state;
pub mod transcribe;
