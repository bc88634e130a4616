//! Opening a notification's link: the [`Opener`] trait. The desktop shell implements it (the
//! system browser); tests record what would have opened. The dispatcher only ever passes it
//! http(s) URLs that [`super::link::http_url`] accepted.

/// Opens URLs in the user's browser.
pub trait Opener: Send + Sync + 'static {
    /// Opens `url` (http or https). Blocking is allowed: it is called off the async runtime.
    fn open(&self, url: &str) -> Result<(), String>;
}

/// An opener that opens nothing and says so in the log (for `herald tail` and engines without
/// a shell).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoOpener;

impl Opener for NoOpener {
    fn open(&self, url: &str) -> Result<(), String> {
        let _ = url;
        Err("no browser to open links with".into())
    }
}
