//! The system keychain: where a feed's header values go when one answers. On Linux that is the
//! Secret Service (GNOME Keyring, KWallet, KeePassXC), reached through the `keyring` crate.
//!
//! One item per feed, named by the service `herald` and the feed's id; its secret is the feed's
//! headers as JSON (`[{"name": …, "value": …}]`), so the values can be matched to the names the
//! settings file keeps. Nothing here logs or quotes a value.

use std::fmt;

use crate::feed::{FeedId, Header};

/// The service name of Herald's items in the keychain.
pub const SERVICE: &str = "herald";

/// Why the keychain could not be used. The message never holds a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeychainError(pub String);

/// A keychain Herald can keep header values in.
pub trait Keychain: Send + Sync + fmt::Debug {
    /// The headers kept for `feed`; `Ok(None)` when the keychain holds nothing for it.
    fn get(&self, feed: &FeedId) -> Result<Option<Vec<Header>>, KeychainError>;
    /// Keeps `headers` for `feed`, replacing what was kept.
    fn set(&self, feed: &FeedId, headers: &[Header]) -> Result<(), KeychainError>;
    /// Forgets what is kept for `feed` (nothing kept is not an error).
    fn delete(&self, feed: &FeedId) -> Result<(), KeychainError>;
}

/// The desktop's keychain (the Secret Service on the session bus).
#[derive(Debug, Default)]
pub struct SystemKeychain;

impl SystemKeychain {
    fn entry(feed: &FeedId) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(SERVICE, &feed.0).map_err(explain)
    }
}

impl Keychain for SystemKeychain {
    fn get(&self, feed: &FeedId) -> Result<Option<Vec<Header>>, KeychainError> {
        match Self::entry(feed)?.get_password() {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|_| {
                KeychainError("the keychain's item for this feed is not in Herald's format".into())
            }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e)),
        }
    }

    fn set(&self, feed: &FeedId, headers: &[Header]) -> Result<(), KeychainError> {
        let text = serde_json::to_string(headers).expect("headers always serialize");
        Self::entry(feed)?.set_password(&text).map_err(explain)
    }

    fn delete(&self, feed: &FeedId) -> Result<(), KeychainError> {
        match Self::entry(feed)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(explain(e)),
        }
    }
}

/// What went wrong, in words that quote no value (`BadEncoding` would carry the secret's bytes).
fn explain(error: keyring::Error) -> KeychainError {
    let why = match error {
        keyring::Error::NoStorageAccess(e) => format!("the keychain is locked or refused ({e})"),
        keyring::Error::PlatformFailure(e) => format!("no keychain answered ({e})"),
        keyring::Error::BadEncoding(_) => "the keychain's item for this feed is not text".into(),
        keyring::Error::NoEntry => "the keychain holds nothing for this feed".into(),
        keyring::Error::TooLong(what, limit) => {
            format!("the keychain refused a {what} longer than {limit}")
        }
        keyring::Error::Ambiguous(_) => {
            "the keychain holds more than one item for this feed".into()
        }
        other => format!("the keychain failed ({other})"),
    };
    KeychainError(why)
}

/// A keychain in memory, for tests: it can be made to stop answering.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryKeychain {
    /// What it holds.
    pub items: std::sync::Mutex<std::collections::HashMap<FeedId, Vec<Header>>>,
    /// While true, every call fails as a locked keychain does.
    pub locked: std::sync::atomic::AtomicBool,
}

#[cfg(test)]
impl MemoryKeychain {
    fn answer(
        &self,
    ) -> Result<
        std::sync::MutexGuard<'_, std::collections::HashMap<FeedId, Vec<Header>>>,
        KeychainError,
    > {
        if self.locked.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(KeychainError("the keychain is locked".into()));
        }
        Ok(self.items.lock().unwrap())
    }
}

#[cfg(test)]
impl Keychain for MemoryKeychain {
    fn get(&self, feed: &FeedId) -> Result<Option<Vec<Header>>, KeychainError> {
        Ok(self.answer()?.get(feed).cloned())
    }

    fn set(&self, feed: &FeedId, headers: &[Header]) -> Result<(), KeychainError> {
        self.answer()?.insert(feed.clone(), headers.to_vec());
        Ok(())
    }

    fn delete(&self, feed: &FeedId) -> Result<(), KeychainError> {
        self.answer()?.remove(feed);
        Ok(())
    }
}
