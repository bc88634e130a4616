//! The error the UI receives from a command: `{code, message, field?}`.
//!
//! A code exists only where the UI does something different with it.

use serde::Serialize;

/// An error as the UI sees it.
#[derive(Debug, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct IpcError {
    /// `invalid` (show under `field` when set), `notFound`, `refused` (Herald will not do that,
    /// e.g. open a link that is not http(s)), or `failed`.
    pub code: &'static str,
    /// What happened and what to do.
    pub message: String,
    /// The form field at fault, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl IpcError {
    /// Something failed; `message` says what and what to do.
    pub fn failed(message: impl Into<String>) -> IpcError {
        IpcError {
            code: "failed",
            message: message.into(),
            field: None,
        }
    }
}

impl From<herald_engine::Error> for IpcError {
    fn from(error: herald_engine::Error) -> Self {
        use herald_engine::Error;
        match error {
            Error::Invalid(invalid) => IpcError {
                code: "invalid",
                message: invalid.message,
                field: Some(invalid.field),
            },
            Error::Ambiguous { .. } | Error::BadImport(_) => IpcError {
                code: "invalid",
                message: error.to_string(),
                field: None,
            },
            Error::NotFound(_) => IpcError {
                code: "notFound",
                message: error.to_string(),
                field: None,
            },
            Error::Settings(_) | Error::Store(_) | Error::Stopped => IpcError {
                code: "failed",
                message: error.to_string(),
                field: None,
            },
        }
    }
}
