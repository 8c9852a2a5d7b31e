//! Reusable pieces of UI.
pub mod error_panel;
pub mod follow;
pub mod forms;
pub mod layout;
pub mod reorder;
pub mod require_user;
