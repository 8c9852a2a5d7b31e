//! The one error type every server function returns; it crosses to the browser as JSON.
use std::collections::BTreeMap;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// Field name → message shown beside that field.
pub type FieldErrors = BTreeMap<String, String>;

/// Display texts are what a person reads; internals never reach them (they go to the log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please log in to continue.")]
    Unauthenticated,
    #[error("That email and password don't match an account. Please try again.")]
    InvalidCredentials,
    #[error("You don't have permission to do that.")]
    Forbidden,
    #[error("We couldn't find that page.")]
    NotFound,
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    /// A file refused for what it is (not a photo, damaged…); the message says why.
    #[error("{0}")]
    Refused(String),
    /// An upload over its size limit; the message names the limit.
    #[error("{0}")]
    TooLarge(String),
    /// Refused by a rate limit or because the server is busy; the message says what to do.
    #[error("{0}")]
    TooMany(String),
    #[error("That request wasn't understood. Please reload the page and try again.")]
    BadRequest,
    #[error("We couldn't reach MyStoryFlow. Check your connection and try again.")]
    Network,
    /// The server is up but its database is not (restarting after a crash, or unreachable).
    #[error(
        "MyStoryFlow can't reach its database for a moment. Nothing you saved is lost; please try again in a minute."
    )]
    Unavailable,
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(BTreeMap::from([(field.to_owned(), message.into())]))
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Validation(_) => 422,
            AppError::TooLarge(_) => 413,
            AppError::Refused(_) => 422,
            AppError::TooMany(_) => 429,
            AppError::BadRequest => 400,
            AppError::Network | AppError::Unavailable => 503,
            AppError::Internal => 500,
        }
    }

    /// The message for one form field, if this error has one.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(fields) => fields.get(name).cloned(),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::BadRequest
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::warn!(error = %err, "the database is unreachable");
                AppError::Unavailable
            }
            // Connection exceptions (08…) and the server shutting down or starting (57P…).
            sqlx::Error::Database(ref db)
                if db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")) =>
            {
                tracing::warn!(error = %err, "the database is restarting");
                AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

/// The one wire shape of a failed request that is not a server function (media, listening
/// links): the real status, and `{"error": message, "detail": AppError}` — what the upload
/// script shows and what server functions carry.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(serde_json::json!({ "error": self.to_string(), "detail": self }))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_details() {
        let shown = AppError::Internal.to_string();
        assert!(!shown.to_lowercase().contains("sql"));
        assert_eq!(AppError::Internal.status(), 500);
    }

    #[test]
    fn validation_errors_name_their_field() {
        let err = AppError::invalid("password", "Too short");
        assert_eq!(err.field("password").as_deref(), Some("Too short"));
        assert_eq!(err.field("email"), None);
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn errors_survive_the_trip_to_the_browser() {
        let err = AppError::invalid("email", "Already used");
        let bytes = err.ser();
        assert_eq!(AppError::de(bytes), err);
    }

    #[test]
    fn malformed_arguments_are_a_bad_request() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(err, AppError::BadRequest);
    }
}
