//! Opening a notification's link: the [`Opener`] trait. The desktop shell implements it (the
//! system browser); tests record what would have opened. The dispatcher only ever passes it
//! http(s) URLs that [`super::link::http_url`] accepted.

/// Why a link was not opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Nothing here opens links (no desktop shell).
    #[error("no browser to open links with")]
    NoBrowser,
    /// The system's opener failed.
    #[error("the browser could not be started: {0}")]
    Failed(String),
}

/// Opens URLs in the user's browser.
pub trait Opener: Send + Sync + 'static {
    /// Opens `url` (http or https). Blocking is allowed: it is called off the async runtime.
    fn open(&self, url: &str) -> Result<(), OpenError>;
}

/// An opener that opens nothing and says so in the log (for `herald tail` and engines without
/// a shell).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoOpener;

impl Opener for NoOpener {
    fn open(&self, _url: &str) -> Result<(), OpenError> {
        Err(OpenError::NoBrowser)
    }
}
