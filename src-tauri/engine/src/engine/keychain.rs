//! The engine's side of header values in the keychain: feeds whose values the keychain has not
//! given yet are asked for again (every [`super::registry::KEYCHAIN_RETRY`]) and start once they
//! come; at start, values still in the file move into a keychain that answers now.

use super::Engine;
use crate::feed::{FeedConfig, FeedId, SecretsAt};
use crate::report::Report;

impl Engine {
    /// Some feed waits for its header values from the keychain.
    pub(super) fn waiting_for_keychain(&self) -> bool {
        self.settings
            .feeds
            .iter()
            .any(|f| f.secrets == SecretsAt::KeychainLocked)
    }

    /// Feed `id` waits for its header values from the keychain.
    pub(super) fn waits_for_keychain(&self, id: &FeedId) -> bool {
        self.settings
            .feeds
            .iter()
            .any(|f| &f.id == id && f.secrets == SecretsAt::KeychainLocked)
    }

    /// Asks the keychain again for the values feeds wait for, and starts those it gives (their
    /// ids are returned). Only memory learns them: the file already says they are in the keychain.
    pub(super) async fn retry_keychain(&mut self) -> Vec<FeedId> {
        let vault = self.file.vault().clone();
        let mut waiting: Vec<FeedConfig> = self
            .settings
            .feeds
            .iter()
            .filter(|f| f.secrets == SecretsAt::KeychainLocked)
            .cloned()
            .collect();
        let (filled, waiting) = tokio::task::spawn_blocking(move || {
            let filled = vault.fill(&mut waiting);
            (filled, waiting)
        })
        .await
        .expect("reading the keychain does not panic");
        if filled.is_empty() {
            return filled;
        }
        for config in waiting.into_iter().filter(|f| filled.contains(&f.id)) {
            let Some(slot) = self.settings.feeds.iter_mut().find(|f| f.id == config.id) else {
                continue;
            };
            *slot = config.clone();
            tracing::info!(feed = %config.id, "header values read from the keychain");
            self.restart_feed(config).await;
        }
        self.report(Report::Feeds(self.views())).await;
        filled
    }

    /// Moves header values still kept in the file into the keychain, when the user keeps the
    /// default and a keychain answers now (one was installed or unlocked since they were saved).
    pub(super) async fn move_into_keychain(&mut self) {
        let in_file =
            self.settings.feeds.iter().any(|f| {
                f.secrets == SecretsAt::File && f.headers.iter().any(|h| !h.value.is_empty())
            });
        if !self.settings.keychain || !in_file {
            return;
        }
        let vault = self.file.vault().clone();
        let answers = tokio::task::spawn_blocking(move || vault.answers())
            .await
            .unwrap_or(false);
        if !answers {
            return;
        }
        match self
            .settings
            .change(&self.file, |_| Ok::<_, crate::settings::SettingsError>(()))
            .await
        {
            Ok(()) => {
                tracing::info!("header values moved from the settings file into the keychain");
                self.report(Report::Feeds(self.views())).await;
            }
            Err(e) => tracing::warn!(error = %e, "header values not moved into the keychain"),
        }
    }
}
