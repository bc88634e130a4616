//! `herald subscribe URL` and `herald://subscribe?url=…&name=…` links: what the window should
//! open on (the feed editor, prefilled). The app itself carries it out — the running one, or
//! this launch — and nothing is subscribed until the user saves the feed.

use crate::window::{Intent, Prefill};

/// The link scheme Herald handles (the desktop entry declares `x-scheme-handler/herald`).
pub const SCHEME: &str = "herald";

/// Why a subscribe command or link is refused (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// The feed's URL is not http(s) with a host.
    #[error("Herald subscribes to web feeds only (http or https): {0}")]
    NotWeb(herald_engine::notify::link::Refused),
    /// The text is not a URL at all (not quoted: it may carry a token).
    #[error("that is not a link: {0}")]
    NotALink(url::ParseError),
    /// A link of another scheme.
    #[error("Herald opens herald:// links only, not {0:?}")]
    WrongScheme(String),
    /// A herald:// link Herald has no use for.
    #[error("Herald does not know the link herald://{0}: only herald://subscribe?url=…")]
    UnknownAction(String),
    /// herald://subscribe without `url=`.
    #[error("the subscribe link has no url=… to subscribe to")]
    NoUrl,
}

/// What `herald subscribe URL [--name NAME]` asks for; the error says why the URL is refused.
pub fn from_args(url: &str, name: Option<&str>) -> Result<Intent, SubscribeError> {
    let url = herald_engine::notify::link::http_url(url.trim()).map_err(SubscribeError::NotWeb)?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    Ok(Intent {
        subscribe: Some(Prefill {
            url,
            name: name.map(str::to_owned),
        }),
        ..Intent::default()
    })
}

/// What a `herald://` link asks for. Only `herald://subscribe?url=URL[&name=NAME]` exists.
pub fn from_link(link: &str) -> Result<Intent, SubscribeError> {
    let parsed = url::Url::parse(link).map_err(SubscribeError::NotALink)?;
    if parsed.scheme() != SCHEME {
        return Err(SubscribeError::WrongScheme(parsed.scheme().to_owned()));
    }
    let action = parsed
        .host_str()
        .unwrap_or_else(|| parsed.path().trim_matches('/'));
    if action != "subscribe" {
        return Err(SubscribeError::UnknownAction(action.to_owned()));
    }
    let query = |key: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let url = query("url").ok_or(SubscribeError::NoUrl)?;
    from_args(&url, query("name").as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefill(intent: Intent) -> Prefill {
        intent.subscribe.expect("a subscribe intent")
    }

    #[test]
    fn a_link_gives_the_url_and_name_decoded() {
        let p = prefill(
            from_link(
                "herald://subscribe?url=https%3A%2F%2Fntfy.sh%2Falerts%2Fsse&name=My%20alerts",
            )
            .unwrap(),
        );
        assert_eq!(p.url, "https://ntfy.sh/alerts/sse");
        assert_eq!(p.name.as_deref(), Some("My alerts"));
        let p = prefill(from_link("herald:subscribe?url=http://127.0.0.1:8080/e").unwrap());
        assert_eq!(p.url, "http://127.0.0.1:8080/e");
        assert_eq!(p.name, None);
    }

    #[test]
    fn only_web_feeds_and_known_links_pass() {
        for refused in [
            "herald://subscribe?url=file:///etc/passwd",
            "herald://subscribe?url=javascript:alert(1)",
            "herald://subscribe",
            "herald://delete?url=https://example.com/",
            "https://example.com/?url=https://example.com/",
            "not a link",
        ] {
            assert!(from_link(refused).is_err(), "{refused}");
        }
        assert!(from_args("ftp://example.com/", None).is_err());
        let p = prefill(from_args(" https://example.com/events ", Some("  ")).unwrap());
        assert_eq!(p.url, "https://example.com/events");
        assert_eq!(p.name, None, "a blank name is no name");
    }
}
