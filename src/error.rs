//! The error type that crosses the wire between server functions and the browser.
//!
//! Internal causes are logged on the server and never sent: the client sees a kind and a
//! message written for the person using the page.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What went wrong, in terms the user interface can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request needs a signed-in user.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// The signed-in user may not do this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Nothing with that id exists for this organization.
    #[error("That item does not exist or was removed.")]
    NotFound,
    /// Input was rejected; each field carries its own message.
    #[error("Please correct the highlighted fields.")]
    Validation(BTreeMap<String, String>),
    /// Someone else changed the record since it was loaded.
    #[error("{0}")]
    Conflict(String),
    /// The organization is suspended by the platform operator.
    #[error(
        "This organization is suspended. Its owner can contact Revdesk support to reactivate it."
    )]
    Suspended,
    /// Too many attempts; try again later.
    #[error("Too many attempts. Please wait a minute and try again.")]
    RateLimited,
    /// A dependency (usually the database) is not reachable.
    #[error("The service is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// Anything else. The cause is in the server log under the request id.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request could not be delivered or decoded.
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl AppError {
    /// A validation error for one field.
    pub fn field(name: &str, message: &str) -> Self {
        AppError::Validation(BTreeMap::from([(name.to_owned(), message.to_owned())]))
    }

    /// The message for one field, if this is a validation error that names it.
    pub fn field_message(&self, name: &str) -> Option<&str> {
        match self {
            AppError::Validation(fields) => fields.get(name).map(String::as_str),
            _ => None,
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::Suspended => 403,
            AppError::NotFound => 404,
            AppError::Validation(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::RateLimited => 429,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Transport(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(msg) | ServerFnErrorErr::Response(msg) => {
                AppError::Transport(msg)
            }
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                AppError::Transport("the form data was incomplete or malformed".into())
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_addressable_by_name() {
        let err = AppError::field("email", "Enter an email address.");
        assert_eq!(err.field_message("email"), Some("Enter an email address."));
        assert_eq!(err.field_message("name"), None);
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn malformed_arguments_do_not_leak_decoder_text() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "invalid type: map, expected u32 at line 1 column 7".into(),
        ));
        assert!(!err.to_string().contains("line 1"));
    }

    #[test]
    fn internal_errors_say_nothing_about_the_cause() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "password authentication failed for user postgres".into(),
        ));
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("postgres"));
    }
}
