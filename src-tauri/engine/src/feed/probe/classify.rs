//! Naming a failed feed test from the error's source chain: reqwest wraps hyper-util's connect
//! error, which wraps the OS error (`ConnectionRefused`, `TimedOut`), the resolver's ("dns
//! error", its type private) or, inside an `io::Error`, rustls' (`InvalidCertificate(…)`).
//! Messages name the host and port at most: never URL credentials, path or query.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use super::{FailureKind, TestFailure};

/// Where a feed connects, as messages may name it: host and port, nothing else of the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    host: String,
    port: Option<u16>,
}

impl Target {
    pub(super) fn of(url: &str) -> Target {
        let parsed = url::Url::parse(url).ok();
        Target {
            host: parsed
                .as_ref()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| "the server".to_owned()),
            port: parsed.and_then(|u| u.port_or_known_default()),
        }
    }

    fn with_port(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }
}

pub(super) fn timeout(target: &Target, after: Duration) -> TestFailure {
    TestFailure::new(
        FailureKind::Timeout,
        format!(
            "{} did not answer within {} s",
            target.with_port(),
            after.as_secs()
        ),
        Some("is the server up, and does a firewall let the connection through?"),
    )
}

/// Names a failure to get a response from reqwest's error and its sources.
pub(super) fn classify(error: &reqwest::Error, target: &Target, limit: Duration) -> TestFailure {
    if let Some(failure) = classify_chain(error, target) {
        return failure;
    }
    if error.is_timeout() {
        return timeout(target, limit);
    }
    let text = chain_text(error);
    if error.is_builder() {
        return TestFailure::new(
            FailureKind::Request,
            format!("cannot build the request: {text}"),
            Some("check the feed's URL and headers"),
        );
    }
    TestFailure::new(
        FailureKind::Connect,
        format!("cannot connect to {}: {text}", target.with_port()),
        Some("is the server running and reachable?"),
    )
}

/// The failures told apart by a link of the source chain: TLS (rustls), refused and timed out
/// (the OS), DNS (the resolver). `None` when no link says.
fn classify_chain(error: &(dyn StdError + 'static), target: &Target) -> Option<TestFailure> {
    let links = chain(error);
    if let Some(tls) = links
        .iter()
        .find_map(|link| link.downcast_ref::<rustls::Error>())
    {
        return Some(tls_failure(tls, target));
    }
    let io_kind = |kind: io::ErrorKind| {
        links
            .iter()
            .filter_map(|link| link.downcast_ref::<io::Error>())
            .any(|e| e.kind() == kind)
    };
    // hyper-util's connect error says "dns error" when resolving failed (its type is private);
    // getaddrinfo's own words are the fallback.
    let dns = links.iter().any(|link| {
        let text = link.to_string();
        text == "dns error" || text.contains("failed to lookup address")
    });
    if dns {
        let why = links
            .last()
            .map(|e| e.to_string())
            .filter(|t| t != "dns error");
        let mut message = format!("the host name {} does not resolve", target.host);
        if let Some(why) = why {
            message = format!("{message} ({why})");
        }
        return Some(TestFailure::new(
            FailureKind::Dns,
            message,
            Some("check the host name in the URL, and that this computer is online"),
        ));
    }
    if io_kind(io::ErrorKind::ConnectionRefused) {
        return Some(TestFailure::new(
            FailureKind::Refused,
            format!("{} refused the connection", target.with_port()),
            Some("is the server running, and is the port right?"),
        ));
    }
    if io_kind(io::ErrorKind::TimedOut) {
        return Some(TestFailure::new(
            FailureKind::Timeout,
            format!("connecting to {} timed out", target.with_port()),
            Some("is the server up, and does a firewall let the connection through?"),
        ));
    }
    None
}

/// A TLS failure, saying which certificate problem it was.
fn tls_failure(error: &rustls::Error, target: &Target) -> TestFailure {
    use rustls::CertificateError as C;
    let untrusted = |why: &str, hint: &str| {
        TestFailure::new(
            FailureKind::Tls,
            format!("the server's certificate is not trusted: {why}"),
            Some(hint),
        )
    };
    match error {
        rustls::Error::InvalidCertificate(problem) => match problem {
            C::UnknownIssuer => untrusted(
                "it is signed by an unknown issuer (a certificate authority this computer does \
                 not trust)",
                "for a self-hosted server, choose its CA certificate file in the feed's settings",
            ),
            C::Expired | C::ExpiredContext { .. } => untrusted(
                "it has expired",
                "the server's certificate must be renewed (or this computer's clock is wrong)",
            ),
            C::NotValidYet | C::NotValidYetContext { .. } => untrusted(
                "it is not valid yet",
                "check this computer's clock, or renew the server's certificate",
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => untrusted(
                &format!("it is not valid for the host name {}", target.host),
                "use the host name the certificate was issued for",
            ),
            C::Revoked => untrusted("it was revoked", "the server needs a new certificate"),
            other => untrusted(
                &format!("{other:?}"),
                "check the server's certificate and the feed's CA certificate file",
            ),
        },
        other => TestFailure::new(
            FailureKind::Tls,
            format!(
                "the TLS handshake with {} failed: {other}",
                target.with_port()
            ),
            Some("check that the server speaks TLS on this port (https), or use http"),
        ),
    }
}

/// `error` and its sources, outermost first. An `io::Error` wrapping another error hides it
/// from `source()` (it forwards to the inner error's own source), so its inner error is
/// walked explicitly: that is where rustls' error sits.
fn chain<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut links = Vec::new();
    let mut next = Some(error);
    while let Some(link) = next {
        links.push(link);
        next = match link
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => link.source(),
        };
        if links.len() > 16 {
            break; // a cycle would be a bug elsewhere; never loop on it
        }
    }
    links
}

/// The chain's messages joined with ": ", repeats left out (reqwest's own Display is generic;
/// its sources say what happened).
pub(super) fn chain_text(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for link in chain(error) {
        let text = link.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    /// An error with a message and a source, as reqwest and hyper-util wrap theirs.
    #[derive(Debug)]
    struct Wrapped(&'static str, Box<dyn StdError + Send + Sync>);

    impl fmt::Display for Wrapped {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrapped {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&*self.1)
        }
    }

    /// reqwest → hyper-util → `cause`, as a failed connection arrives.
    fn connect_error(hyper_util: &'static str, cause: io::Error) -> Wrapped {
        Wrapped(
            "error sending request",
            Box::new(Wrapped(
                "client error (Connect)",
                Box::new(Wrapped(hyper_util, Box::new(cause))),
            )),
        )
    }

    fn tls(problem: rustls::CertificateError) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(problem),
        )
    }

    #[test]
    fn failures_are_named_from_the_source_chain() {
        let target = Target::of("https://user:pw@feeds.example:8443/sse?token=t0k");
        let table: Vec<(Wrapped, FailureKind, &str)> = vec![
            (
                connect_error(
                    "dns error",
                    io::Error::other(
                        "failed to lookup address information: Name or service not known",
                    ),
                ),
                FailureKind::Dns,
                "feeds.example does not resolve",
            ),
            (
                connect_error(
                    "tcp connect error",
                    io::Error::from(io::ErrorKind::ConnectionRefused),
                ),
                FailureKind::Refused,
                "feeds.example:8443 refused",
            ),
            (
                connect_error(
                    "tcp connect error",
                    io::Error::from(io::ErrorKind::TimedOut),
                ),
                FailureKind::Timeout,
                "timed out",
            ),
            (
                connect_error("tls", tls(rustls::CertificateError::UnknownIssuer)),
                FailureKind::Tls,
                "unknown issuer",
            ),
            (
                connect_error("tls", tls(rustls::CertificateError::Expired)),
                FailureKind::Tls,
                "expired",
            ),
            (
                connect_error("tls", tls(rustls::CertificateError::NotValidForName)),
                FailureKind::Tls,
                "not valid for the host name feeds.example",
            ),
            (
                connect_error("tls", tls(rustls::CertificateError::BadSignature)),
                FailureKind::Tls,
                "BadSignature",
            ),
            (
                connect_error(
                    "tls",
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
                    ),
                ),
                FailureKind::Tls,
                "handshake with feeds.example:8443 failed",
            ),
        ];
        for (error, kind, said) in table {
            let failure = classify_chain(&error, &target).expect("classified");
            assert_eq!(failure.kind, kind, "{error}: {failure:?}");
            assert!(failure.message.contains(said), "{failure:?}");
            assert!(failure.hint.is_some(), "{failure:?}");
            for secret in ["user", "pw", "token", "t0k", "/sse"] {
                assert!(!failure.message.contains(secret), "{failure:?}");
            }
        }
        // Nothing in the chain that says more: the caller falls back on reqwest's own flags.
        let vague = connect_error("connection closed", io::Error::other("eof"));
        assert_eq!(classify_chain(&vague, &target), None);
        assert_eq!(
            chain_text(&vague),
            "error sending request: client error (Connect): connection closed: eof"
        );
    }
}
