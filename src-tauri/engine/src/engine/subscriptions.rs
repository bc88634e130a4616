//! Changing the feed list: add, remove, pause. The settings are saved first (through
//! [`Settings::change`]); only a saved change starts or stops a supervisor and tells the store.

use super::Engine;
use crate::Error;
use crate::demo;
use crate::feed::{Control, Cursor, FeedConfig, FeedId, FeedStatus, ResumeMode};
use crate::report::{FeedView, Report};
use crate::settings::Settings;

impl Engine {
    /// Starts a feed, telling the store its name first.
    pub(super) async fn start_feed(&mut self, config: FeedConfig, cursor: Cursor) {
        let named = self.store.set_feed(config.id.clone(), config.name.clone());
        self.store_write(named).await;
        self.feeds.start(config, cursor).await;
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
        };
        self.add(config).await
    }

    pub(super) async fn remove(&mut self, id: &FeedId) -> Result<(), Error> {
        self.settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds.remove(index);
                Ok::<_, Error>(())
            })
            .await?;
        self.feeds.stop(id); // the supervisor is dropped: the connection closes
        self.store_write(self.store.forget(id.clone())).await;
        if !self.settings.feeds.iter().any(|f| f.demo) {
            self.demo.stop();
        }
        tracing::info!(feed = %id, "feed removed");
        self.report(Report::Feeds(self.views())).await;
        Ok(())
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
}

/// Where feed `id` is in the settings' list.
pub(super) fn position(settings: &Settings, id: &FeedId) -> Result<usize, Error> {
    settings
        .feeds
        .iter()
        .position(|f| &f.id == id)
        .ok_or_else(|| Error::NotFound(id.to_string()))
}
