use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The one error the UI sees: an HTTP status and a message that says what to do. Causes are
/// logged on the server and never cross the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub status: u16,
    pub message: String,
}

impl AppError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let status = match value {
            ServerFnErrorErr::Request(_) => 503,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => 400,
            _ => 500,
        };
        Self::new(status, value.to_string())
    }
}
