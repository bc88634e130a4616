//! Changing the feed list: add, edit, remove, pause, import. The settings are saved first
//! (through [`Settings::change`]); only a saved change starts or stops a supervisor and tells the
//! store. An edited feed keeps its id, so its history and resume point stay with it.

use super::Engine;
use crate::Error;
use crate::demo;
use crate::feed::{
    Control, Cursor, FeedConfig, FeedDraft, FeedId, FeedStatus, ResumeMode, SecretsAt,
};
use crate::notify;
use crate::report::{FeedView, Report};
use crate::settings::Settings;
use crate::settings::feeds::{Exported, ImportSummary};

impl Engine {
    /// Starts a feed, telling the store its name first.
    pub(super) async fn start_feed(&mut self, config: FeedConfig, cursor: Cursor) {
        let named = self.store.set_feed(config.id.clone(), config.name.clone());
        self.store_write(named).await;
        self.feeds.start(config, cursor).await;
    }

    /// Stops a feed's supervisor and starts it again with `config`, resuming from what the
    /// store kept (everything received so far is written first).
    pub(super) async fn restart_feed(&mut self, config: FeedConfig) {
        self.feeds.stop(&config.id);
        self.store_write(self.store.flush()).await;
        let cursor = match self.store.cursors().await {
            Ok(mut cursors) => cursors.remove(&config.id).unwrap_or_default(),
            Err(e) => {
                tracing::error!(error = %e, "store: resume point not read; the feed starts over");
                Cursor::default()
            }
        };
        self.start_feed(config, cursor).await;
    }

    /// Tells the store how much each feed keeps, after a change that may have moved it.
    pub(super) async fn sync_retention(&self) {
        let policy = self.settings.retention_policy();
        self.store_write(self.store.set_retention(policy)).await;
    }

    /// Saves an edit of feed `id` and reconnects it with the new settings; its history and
    /// resume point stay.
    pub(super) async fn update(
        &mut self,
        id: &FeedId,
        draft: FeedDraft,
    ) -> Result<FeedView, Error> {
        let existing = self.settings.feeds[position(&self.settings, id)?].clone();
        let config = tokio::task::spawn_blocking(move || draft.validate_edit(&existing))
            .await
            .expect("validation does not panic")?;
        let saved = config.clone();
        self.settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds[index] = saved;
                Ok::<_, Error>(())
            })
            .await?;
        tracing::info!(feed = %id, url = %config.redacted_url(), "feed edited");
        self.restart_feed(config.clone()).await;
        self.sync_retention().await;
        self.report(Report::Feeds(self.views())).await;
        Ok(FeedView::new(&config, FeedStatus::STARTING))
    }

    /// Adds or updates the feeds of an export; started or restarted once saved.
    pub(super) async fn import(&mut self, exported: Exported) -> Result<ImportSummary, Error> {
        // Validation reads CA files: off the actor's thread, on a copy of the settings.
        let mut next = self.settings.clone();
        let (next, summary) = tokio::task::spawn_blocking(move || {
            let summary = next.import(&exported);
            summary.map(|summary| (next, summary))
        })
        .await
        .expect("an import does not panic")?;
        let before = self.settings.feeds.clone();
        let feeds = next.feeds.clone();
        self.settings
            .change(&self.file, |s| {
                s.feeds = feeds;
                Ok::<_, Error>(())
            })
            .await?;
        for config in next.feeds {
            match before.iter().find(|f| f.id == config.id) {
                Some(old) if *old == config => {}
                Some(_) => self.restart_feed(config).await,
                None => self.start_feed(config, Cursor::default()).await,
            }
        }
        tracing::info!(
            added = summary.added.len(),
            updated = summary.updated.len(),
            "feeds imported"
        );
        self.sync_retention().await;
        self.report(Report::Feeds(self.views())).await;
        Ok(summary)
    }

    pub(super) async fn add(&mut self, config: FeedConfig) -> Result<FeedView, Error> {
        let added = config.clone();
        self.settings
            .change(&self.file, |s| {
                s.feeds.push(added);
                Ok::<_, Error>(())
            })
            .await?;
        tracing::info!(feed = %config.id, url = %config.redacted_url(), "feed added");
        let view = FeedView::new(&config, FeedStatus::STARTING);
        self.start_feed(config, Cursor::default()).await;
        self.sync_retention().await;
        self.report(Report::Feeds(self.views())).await;
        Ok(view)
    }

    pub(super) async fn add_demo_feed(&mut self) -> Result<FeedView, Error> {
        let port = self.demo.ensure().await;
        let config = FeedConfig {
            id: FeedId::random(),
            name: "Herald demo".to_owned(),
            url: demo::feed_url(port),
            headers: Vec::new(),
            demo: true,
            paused: false,
            ca_cert: None,
            idle_timeout_secs: None,
            retention: None,
            resume: ResumeMode::LastEventId,
            secrets: SecretsAt::File,
        };
        self.add(config).await
    }

    pub(super) async fn remove(&mut self, id: &FeedId) -> Result<(), Error> {
        self.settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds.remove(index);
                s.notifications.feeds.remove(id);
                Ok::<_, Error>(())
            })
            .await?;
        self.feeds.stop(id); // the supervisor is dropped: the connection closes
        self.pipeline.send(notify::Input::Forget(id.clone())).await;
        self.store_write(self.store.forget(id.clone())).await;
        if !self.settings.feeds.iter().any(|f| f.demo) {
            self.demo.stop();
        }
        tracing::info!(feed = %id, "feed removed");
        self.report(Report::Feeds(self.views())).await;
        Ok(())
    }

    /// Saves the resume mode a feed's stream turned out to need (an ntfy feed found by
    /// `auto`), so the next start resumes the right way at once.
    pub(super) async fn remember_resume_mode(&mut self, id: &FeedId, mode: ResumeMode) {
        let saved = self
            .settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds[index].resume = mode;
                Ok::<_, Error>(s.feeds[index].clone())
            })
            .await;
        match saved {
            Ok(config) => self.feeds.set_config(&config),
            Err(e) => tracing::warn!(feed = %id, error = %e, "resume mode not saved"),
        }
    }

    /// Pauses or resumes a feed, and remembers it in the settings.
    pub(super) async fn set_paused(&mut self, id: &FeedId, paused: bool) -> Result<(), Error> {
        let config = self
            .settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds[index].paused = paused;
                Ok::<_, Error>(s.feeds[index].clone())
            })
            .await?;
        self.feeds.set_config(&config);
        let control = if paused {
            Control::Pause
        } else {
            Control::Resume
        };
        self.feeds.control(id, control).await
    }

    /// Pauses or resumes every feed: one save, then each supervisor told.
    pub(super) async fn set_all_paused(&mut self, paused: bool) -> Result<(), Error> {
        let configs = self
            .settings
            .change(&self.file, |s| {
                s.feeds.iter_mut().for_each(|f| f.paused = paused);
                Ok::<_, Error>(s.feeds.clone())
            })
            .await?;
        for config in &configs {
            self.feeds.set_config(config);
            let control = if paused {
                Control::Pause
            } else {
                Control::Resume
            };
            self.feeds.control(&config.id, control).await?;
        }
        Ok(())
    }
}

/// Where feed `id` is in the settings' list.
pub(super) fn position(settings: &Settings, id: &FeedId) -> Result<usize, Error> {
    settings
        .feeds
        .iter()
        .position(|f| &f.id == id)
        .ok_or_else(|| Error::NotFound(id.to_string()))
}
