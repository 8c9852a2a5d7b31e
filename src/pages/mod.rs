//! Route components, one module per area of the site.
pub mod account;
pub mod account_deletion;
pub mod auth;
pub mod books;
pub mod campaigns;
pub mod dashboard;
pub mod family;
pub mod home;
pub mod not_found;
pub mod orders;
pub mod questions;
pub mod search;
pub mod stories;
pub mod storyteller;
pub mod unsubscribe;
