//! Every server function, one file per domain. Each is a public POST endpoint under
//! `/api/`: authenticate → authorize → validate → call `server::db` → map errors.
pub mod account;
pub mod auth;
pub mod campaigns;
pub mod family;
pub mod photos;
pub mod stories;
