//! Where header values are kept: the system keychain when one answers (and the user keeps the
//! default), else the settings file, readable by the user only. A feed's [`SecretsAt`] says which.
//!
//! Moving loses nothing: values are written to their new place before the old one lets go of
//! them (keychain first, then the file without them; or the file with them, then the keychain
//! item deleted). A keychain that does not answer within [`DEADLINE`] counts as not answering:
//! saving falls back to the file, and a feed whose values it holds waits (`KeychainLocked`)
//! until it answers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::Settings;
use super::keychain::{Keychain, KeychainError, SystemKeychain};
use crate::feed::{FeedConfig, FeedId, Header, SecretsAt};

/// How long a save or a load waits for the keychain. Its calls take milliseconds; one that
/// takes longer is showing the user an unlock prompt, or hung, and Herald does not wait on it.
pub const DEADLINE: Duration = Duration::from_secs(3);

/// The keychain (if any) and what this process knows it holds.
#[derive(Debug, Clone, Default)]
pub struct Vault {
    keychain: Option<Arc<dyn Keychain>>,
    /// The headers the keychain holds for each feed, as far as this process has seen: saves that
    /// change nothing skip the keychain, and moving away knows what to delete.
    held: Arc<Mutex<HashMap<FeedId, Vec<Header>>>>,
    /// A call still running past its deadline (an unlock prompt): no second one is started.
    busy: Arc<AtomicBool>,
}

/// What saving does once the file is written: the keychain items to delete.
#[must_use]
pub struct AfterWrite(Vec<FeedId>);

impl Vault {
    /// Values in the settings file only.
    pub fn file_only() -> Vault {
        Vault::default()
    }

    /// The desktop's keychain, where it answers.
    pub fn system() -> Vault {
        Vault::with(Arc::new(SystemKeychain))
    }

    /// `keychain` as the keychain.
    pub fn with(keychain: Arc<dyn Keychain>) -> Vault {
        Vault {
            keychain: Some(keychain),
            ..Vault::default()
        }
    }

    /// Fills in the values of every feed whose values are in the keychain. A feed it cannot
    /// fill (no keychain answers, it is locked, or it lost the item) becomes
    /// [`SecretsAt::KeychainLocked`]. Returns the ids of the feeds filled.
    pub fn fill(&self, feeds: &mut [FeedConfig]) -> Vec<FeedId> {
        let wanted: Vec<FeedId> = feeds
            .iter()
            .filter(|f| f.secrets != SecretsAt::File)
            .map(|f| f.id.clone())
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let found = match &self.keychain {
            Some(keychain) => {
                let keychain = Arc::clone(keychain);
                let ids = wanted.clone();
                self.call(move || {
                    ids.iter()
                        .map(|id| (id.clone(), keychain.get(id)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_else(|e| {
                    wanted
                        .iter()
                        .map(|id| (id.clone(), Err(e.clone())))
                        .collect()
                })
            }
            None => Vec::new(),
        };
        let mut found: HashMap<FeedId, _> = found.into_iter().collect();
        let mut filled = Vec::new();
        for feed in feeds.iter_mut().filter(|f| f.secrets != SecretsAt::File) {
            match found.remove(&feed.id) {
                Some(Ok(Some(kept))) => {
                    merge(&mut feed.headers, &kept);
                    feed.secrets = SecretsAt::Keychain;
                    self.held().insert(feed.id.clone(), kept);
                    filled.push(feed.id.clone());
                }
                Some(Ok(None)) => {
                    tracing::warn!(feed = %feed.id, "the keychain holds no header values for this feed");
                    feed.secrets = SecretsAt::KeychainLocked;
                }
                Some(Err(e)) => {
                    tracing::warn!(feed = %feed.id, error = %e, "header values not read from the keychain");
                    feed.secrets = SecretsAt::KeychainLocked;
                }
                None => feed.secrets = SecretsAt::KeychainLocked,
            }
        }
        filled
    }

    /// Puts each feed's values where they go before the file is written: into the keychain
    /// when `settings` prefer it and it answers, else into the file. Updates each feed's
    /// [`SecretsAt`] in `settings` and returns the copy to write (values the keychain holds left
    /// blank) and what to do once it is written.
    pub fn place(&self, settings: &mut Settings) -> (Settings, AfterWrite) {
        let mut to_delete = Vec::new();
        let use_keychain = settings.keychain && self.keychain.is_some();
        for feed in &mut settings.feeds {
            if feed.secrets == SecretsAt::KeychainLocked {
                continue; // its values are still only in the keychain: leave them there
            }
            let values: Vec<Header> = feed
                .headers
                .iter()
                .filter(|h| !h.value.is_empty())
                .cloned()
                .collect();
            let kept = !values.is_empty() && use_keychain && self.keep(&feed.id, values);
            if kept {
                feed.secrets = SecretsAt::Keychain;
            } else {
                feed.secrets = SecretsAt::File;
                if self.held().contains_key(&feed.id) {
                    to_delete.push(feed.id.clone());
                }
            }
        }
        // Feeds that are gone take their keychain items with them.
        let subscribed: std::collections::HashSet<&FeedId> =
            settings.feeds.iter().map(|f| &f.id).collect();
        to_delete.extend(
            self.held()
                .keys()
                .filter(|id| !subscribed.contains(id))
                .cloned(),
        );
        let mut for_file = settings.clone();
        for feed in &mut for_file.feeds {
            if feed.secrets != SecretsAt::File {
                for header in &mut feed.headers {
                    header.value.clear();
                }
            }
        }
        (for_file, AfterWrite(to_delete))
    }

    /// Once the file holds the values (or the feed is gone), the keychain lets go of them.
    pub fn after_write(&self, after: AfterWrite) {
        let AfterWrite(ids) = after;
        if ids.is_empty() {
            return;
        }
        for id in &ids {
            self.held().remove(id);
        }
        let Some(keychain) = self.keychain.clone() else {
            return;
        };
        let result = self.call(move || {
            for id in &ids {
                if let Err(e) = keychain.delete(id) {
                    tracing::warn!(feed = %id, error = %e, "keychain item not deleted");
                }
            }
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "keychain items not deleted");
        }
    }

    /// Whether a keychain answers now (it may still refuse an item later).
    pub fn answers(&self) -> bool {
        let Some(keychain) = self.keychain.clone() else {
            return false;
        };
        let probe = FeedId("herald-probe".to_owned());
        matches!(self.call(move || keychain.get(&probe)), Ok(Ok(_)))
    }

    /// Keeps `values` for `feed` in the keychain (unless it already holds them); false when it
    /// did not answer or refused.
    fn keep(&self, feed: &FeedId, values: Vec<Header>) -> bool {
        if self.held().get(feed) == Some(&values) {
            return true;
        }
        let keychain = Arc::clone(self.keychain.as_ref().expect("a keychain"));
        let (id, kept) = (feed.clone(), values.clone());
        match self.call(move || keychain.set(&id, &kept)) {
            Ok(Ok(())) => {
                self.held().insert(feed.clone(), values);
                true
            }
            Ok(Err(e)) | Err(e) => {
                tracing::warn!(feed = %feed, error = %e, "header values kept in the settings file: the keychain did not take them");
                false
            }
        }
    }

    /// Runs `work` against the keychain on a thread of its own, waiting at most [`DEADLINE`].
    /// A call still running from before (an unlock prompt nobody answered) is not joined by a
    /// second one.
    fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, KeychainError> {
        if self.busy.swap(true, Ordering::SeqCst) {
            return Err(KeychainError(
                "the keychain is still busy with an earlier request (an unlock prompt?)".into(),
            ));
        }
        let (tx, rx) = mpsc::channel();
        let busy = Arc::clone(&self.busy);
        let spawned = std::thread::Builder::new()
            .name("herald-keychain".into())
            .spawn(move || {
                let out = work();
                busy.store(false, Ordering::SeqCst);
                let _ = tx.send(out);
            });
        if let Err(e) = spawned {
            self.busy.store(false, Ordering::SeqCst);
            return Err(KeychainError(format!("no thread for the keychain ({e})")));
        }
        let started = Instant::now();
        rx.recv_timeout(DEADLINE).map_err(|_| {
            KeychainError(format!(
                "the keychain did not answer within {} s",
                started.elapsed().as_secs()
            ))
        })
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<FeedId, Vec<Header>>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Gives each header left blank in `headers` the kept value of the same name (the first not
/// used yet, so two headers of one name keep their own values).
fn merge(headers: &mut [Header], kept: &[Header]) {
    let mut unused: Vec<&Header> = kept.iter().collect();
    for header in headers.iter_mut().filter(|h| h.value.is_empty()) {
        if let Some(at) = unused
            .iter()
            .position(|k| k.name.eq_ignore_ascii_case(&header.name))
        {
            header.value = unused.remove(at).value.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::keychain::MemoryKeychain;
    use super::*;
    use crate::feed::FeedDraft;

    fn feed(headers: &str) -> FeedConfig {
        FeedDraft {
            name: "A".into(),
            url: "http://127.0.0.1:1/e".into(),
            headers: headers.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn settings(feeds: Vec<FeedConfig>) -> Settings {
        Settings {
            feeds,
            ..Settings::default()
        }
    }

    fn vault() -> (Vault, Arc<MemoryKeychain>) {
        let keychain = Arc::new(MemoryKeychain::default());
        (Vault::with(keychain.clone()), keychain)
    }

    fn lock(keychain: &MemoryKeychain, locked: bool) {
        keychain.locked.store(locked, Ordering::SeqCst);
    }

    #[test]
    fn values_go_to_the_keychain_and_the_file_keeps_only_names() {
        let (vault, keychain) = vault();
        let mut s = settings(vec![feed("Authorization: Bearer t0k\nX-Plain: v")]);
        let (for_file, after) = vault.place(&mut s);
        vault.after_write(after);
        assert_eq!(s.feeds[0].secrets, SecretsAt::Keychain);
        assert_eq!(
            s.feeds[0].headers[0].value, "Bearer t0k",
            "memory keeps them"
        );
        let text = serde_json::to_string(&for_file).unwrap();
        assert!(
            !text.contains("t0k") && text.contains("Authorization"),
            "{text}"
        );
        assert!(text.contains(r#""secrets":"keychain""#), "{text}");
        assert_eq!(
            keychain.items.lock().unwrap()[&s.feeds[0].id][0].value,
            "Bearer t0k"
        );

        // Read back (as the next start does): the values come from the keychain.
        let mut loaded: Settings = serde_json::from_str(&text).unwrap();
        let fresh = Vault::with(keychain.clone());
        assert_eq!(fresh.fill(&mut loaded.feeds), vec![s.feeds[0].id.clone()]);
        assert_eq!(loaded.feeds, s.feeds);
    }

    #[test]
    fn without_a_keychain_or_the_preference_values_stay_in_the_file() {
        let mut s = settings(vec![feed("Authorization: Bearer t0k")]);
        let (for_file, _) = Vault::file_only().place(&mut s);
        assert_eq!(s.feeds[0].secrets, SecretsAt::File);
        assert_eq!(for_file.feeds[0].headers[0].value, "Bearer t0k");

        let (vault, keychain) = vault();
        s.keychain = false;
        let (for_file, _) = vault.place(&mut s);
        assert_eq!(for_file.feeds[0].headers[0].value, "Bearer t0k");
        assert!(keychain.items.lock().unwrap().is_empty());
    }

    #[test]
    fn a_keychain_that_refuses_leaves_the_values_in_the_file() {
        let (vault, keychain) = vault();
        lock(&keychain, true);
        let mut s = settings(vec![feed("Authorization: Bearer t0k")]);
        let (for_file, _) = vault.place(&mut s);
        assert_eq!(s.feeds[0].secrets, SecretsAt::File);
        assert_eq!(for_file.feeds[0].headers[0].value, "Bearer t0k");
    }

    #[test]
    fn moving_to_the_file_and_back_loses_nothing() {
        let (vault, keychain) = vault();
        let mut s = settings(vec![feed("Authorization: Bearer t0k")]);
        let id = s.feeds[0].id.clone();
        let (_, after) = vault.place(&mut s);
        vault.after_write(after);

        // To the file: the file gets the values first; the keychain item goes after.
        s.keychain = false;
        let (for_file, after) = vault.place(&mut s);
        assert_eq!(for_file.feeds[0].headers[0].value, "Bearer t0k");
        assert!(keychain.items.lock().unwrap().contains_key(&id), "not yet");
        vault.after_write(after);
        assert!(!keychain.items.lock().unwrap().contains_key(&id));

        // And back.
        s.keychain = true;
        let (for_file, after) = vault.place(&mut s);
        vault.after_write(after);
        assert_eq!(for_file.feeds[0].headers[0].value, "");
        assert_eq!(keychain.items.lock().unwrap()[&id][0].value, "Bearer t0k");
    }

    #[test]
    fn a_locked_keychain_at_load_makes_the_feed_wait_and_saving_keeps_its_item() {
        let (vault, keychain) = vault();
        let mut s = settings(vec![feed("Authorization: Bearer t0k")]);
        let id = s.feeds[0].id.clone();
        let (for_file, after) = vault.place(&mut s);
        vault.after_write(after);

        lock(&keychain, true);
        let mut loaded = for_file.clone();
        let fresh = Vault::with(keychain.clone());
        assert!(fresh.fill(&mut loaded.feeds).is_empty());
        assert_eq!(loaded.feeds[0].secrets, SecretsAt::KeychainLocked);
        assert_eq!(loaded.feeds[0].headers[0].value, "");

        // A save meanwhile writes the feed as it was and leaves its item alone.
        let (again, after) = fresh.place(&mut loaded);
        fresh.after_write(after);
        assert_eq!(
            serde_json::to_string(&again).unwrap(),
            serde_json::to_string(&for_file).unwrap()
        );
        lock(&keychain, false);
        assert!(keychain.items.lock().unwrap().contains_key(&id));

        // Once it answers, the values come back.
        assert_eq!(fresh.fill(&mut loaded.feeds), vec![id]);
        assert_eq!(loaded.feeds[0].headers[0].value, "Bearer t0k");
        assert_eq!(loaded.feeds[0].secrets, SecretsAt::Keychain);
    }

    #[test]
    fn a_removed_feed_takes_its_item_along_and_headers_of_one_name_keep_their_values() {
        let (vault, keychain) = vault();
        let mut s = settings(vec![feed("X-Key: one\nX-Key: two"), feed("A: b")]);
        let (for_file, after) = vault.place(&mut s);
        vault.after_write(after);
        let mut loaded = for_file.clone();
        Vault::with(keychain.clone()).fill(&mut loaded.feeds);
        let values: Vec<&str> = loaded.feeds[0]
            .headers
            .iter()
            .map(|h| h.value.as_str())
            .collect();
        assert_eq!(values, ["one", "two"]);

        let gone = s.feeds.remove(0).id;
        let (_, after) = vault.place(&mut s);
        vault.after_write(after);
        let items = keychain.items.lock().unwrap();
        assert!(!items.contains_key(&gone));
        assert!(items.contains_key(&s.feeds[0].id));
    }

    #[test]
    fn an_unchanged_save_does_not_ask_the_keychain() {
        let (vault, keychain) = vault();
        let mut s = settings(vec![feed("A: b")]);
        let (_, after) = vault.place(&mut s);
        vault.after_write(after);
        lock(&keychain, true);
        let (for_file, _) = vault.place(&mut s);
        assert_eq!(s.feeds[0].secrets, SecretsAt::Keychain, "known to be held");
        assert_eq!(for_file.feeds[0].headers[0].value, "");
    }
}
