//! What a plain (JavaScript-off) form post leaves for the page it returns to.
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The error of the last failed form post and the values typed (never passwords).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub form: String,
    pub error: AppError,
    pub values: Vec<(String, String)>,
}

impl Flash {
    pub fn value(&self, name: &str) -> Option<String> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

/// What a successful form post tells the page it returns to, once: a confirmation, and a
/// link the person may need to pass on (an invitation link when this server sends no
/// email). Kept in the sender's own session only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub message: String,
    pub link: Option<String>,
}
