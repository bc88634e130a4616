//! The dispatcher: the task that runs the pipeline for every stored event, one way —
//! template → policy → gate → sender — and answers the server's clicks.
//!
//! It owns the gate and what is on screen; the engine hands it events after the store's commit
//! and the rules whenever the settings change. A click opens the event's http(s) URL through the
//! [`Opener`], or brings Herald forward on the event ([`Report::Activate`]). A failing notification
//! service is said once (a notice), what could not be shown is kept (the latest few) and shown
//! when the service appears or the next notification gets through.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::alerts::Alerts;
use super::gate::{Card, Gate, Now, Offer, Out, Slot, Target};
use super::rule::NotifySettings;
use super::sender::{Notifier, NotifyError, Signal};
use super::shown::{OnScreen, Shown};
use super::{Opener, link, policy, present};
use crate::feed::{FeedId, FeedStatus};
use crate::report::{EventRecord, Notice, NoticeLevel, NotifyHealth, Report};
use crate::store::StoreHandle;

/// How many notifications that could not be shown are kept to show later.
const KEPT: usize = 8;
/// How long a notification server may take to answer before Herald calls it failing.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// How many inputs may wait: a flood slows the engine's hand-off rather than growing memory.
const QUEUE: usize = 1024;

/// What the engine tells the dispatcher.
#[derive(Debug)]
pub enum Input {
    /// A stored event (after the commit).
    Event(EventRecord),
    /// A feed's status changed (for connection and silence alerts).
    Status {
        /// The feed.
        feed: FeedId,
        /// Its name.
        name: String,
        /// The new status.
        status: FeedStatus,
    },
    /// The rules changed.
    Rules(NotifySettings),
    /// A feed was removed.
    Forget(FeedId),
    /// "Send a test notification": the answer says whether it was shown.
    Test(oneshot::Sender<Result<(), NotifyError>>),
    /// Herald's own word to the user (the window closed to the tray, say): shown in the app's
    /// slot, past every rule; the answer says whether it was shown.
    Tell {
        /// The notification's title.
        title: String,
        /// Its body.
        body: String,
        /// Whether it was shown.
        reply: oneshot::Sender<Result<(), NotifyError>>,
    },
    /// Whether notifications work now.
    Health(oneshot::Sender<NotifyHealth>),
    /// The engine stops: the dispatcher ends (after what was queued before) and answers.
    Stop(oneshot::Sender<()>),
}

/// The engine's end of the dispatcher.
#[derive(Clone, Debug)]
pub struct Pipeline {
    tx: mpsc::Sender<Input>,
}

impl Pipeline {
    /// Hands `input` over, waiting for room (a full queue slows the caller, it does not drop).
    pub async fn send(&self, input: Input) {
        if self.tx.send(input).await.is_err() {
            tracing::debug!("notification pipeline stopped");
        }
    }

    /// Hands `input` over if there is room; `false` when the queue is full (or stopped).
    pub fn try_send(&self, input: Input) -> bool {
        self.tx.try_send(input).is_ok()
    }
}

/// Starts the dispatcher with `rules`; it stops when every [`Pipeline`] is dropped.
pub fn spawn(
    notifier: Arc<dyn Notifier>,
    opener: Arc<dyn Opener>,
    rules: NotifySettings,
    reports: mpsc::Sender<Report>,
    store: StoreHandle,
) -> Pipeline {
    let (tx, inbox) = mpsc::channel(QUEUE);
    let (signal_tx, signals) = mpsc::unbounded_channel();
    notifier.listen(signal_tx);
    let now = Now::local();
    let dispatcher = Dispatcher {
        gate: Gate::new(rules.flood, rules.quiet.clone(), &now),
        rules,
        alerts: Alerts::default(),
        notifier,
        opener,
        reports,
        store,
        shown: Shown::default(),
        kept: Vec::new(),
        silenced: Vec::new(),
        problem: None,
    };
    tokio::spawn(dispatcher.run(inbox, signals));
    Pipeline { tx }
}

struct Dispatcher {
    rules: NotifySettings,
    gate: Gate,
    alerts: Alerts,
    notifier: Arc<dyn Notifier>,
    opener: Arc<dyn Opener>,
    reports: mpsc::Sender<Report>,
    store: StoreHandle,
    shown: Shown,
    /// Shown when the service is back.
    kept: Vec<(Slot, Card)>,
    /// Silenced since the last input: recorded and reported together.
    silenced: Vec<u64>,
    /// Why notifications fail, while they do.
    problem: Option<NotifyError>,
}

impl Dispatcher {
    async fn run(
        mut self,
        mut inbox: mpsc::Receiver<Input>,
        mut signals: mpsc::UnboundedReceiver<Signal>,
    ) {
        loop {
            let now = Now::local();
            let wake = [
                self.gate.next_wake(&now),
                self.alerts.next_wake(&self.rules),
            ]
            .into_iter()
            .flatten()
            .min()
            .map(|at| {
                tokio::time::Instant::now() + Duration::from_millis(at.saturating_sub(now.wall_ms))
            });
            tokio::select! {
                input = inbox.recv() => match input {
                    Some(Input::Stop(done)) => {
                        drop(self); // the store handle and the notifier go now
                        let _ = done.send(());
                        return;
                    }
                    Some(input) => self.on_input(input).await,
                    None => break,
                },
                Some(signal) = signals.recv() => self.on_signal(signal).await,
                () = sleep_until(wake), if wake.is_some() => {
                    let now = Now::local();
                    let mut due = self.gate.tick(&now);
                    let quiet = self.gate.is_quiet(&now);
                    due.extend(self.alerts.tick(&now, &self.rules, quiet));
                    self.apply(due).await;
                }
            }
        }
    }

    async fn on_input(&mut self, input: Input) {
        match input {
            Input::Event(record) => {
                let now = Now::local();
                let mut out = self.alerts.on_event(&now, &record.feed_id);
                out.extend(self.offer(&now, record));
                self.apply(out).await;
                self.report_silenced().await;
            }
            Input::Status { feed, name, status } => {
                let out = self.alerts.on_status(&Now::local(), &feed, &name, &status);
                self.apply(out).await;
            }
            Input::Rules(rules) => {
                self.gate
                    .set_rules(rules.flood, rules.quiet.clone(), &Now::local());
                self.rules = rules;
            }
            Input::Forget(feed) => {
                self.gate.forget(&feed);
                self.alerts.forget(&feed);
            }
            Input::Stop(_) => unreachable!("handled by the loop"),
            Input::Health(reply) => drop(reply.send(self.health())),
            Input::Test(reply) => {
                let title = "Herald test notification";
                let body = "Notifications from your feeds will look like this.";
                let _ = reply.send(self.tell(Slot::Test, title, body).await);
            }
            Input::Tell { title, body, reply } => {
                let _ = reply.send(self.tell(Slot::App, &title, &body).await);
            }
        }
    }

    /// Shows Herald's own notification in `slot`; a click brings the window forward.
    async fn tell(&mut self, slot: Slot, title: &str, body: &str) -> Result<(), NotifyError> {
        let card = Card {
            title: title.into(),
            body: body.into(),
            priority: super::Priority::Default,
            feed: None,
            target: Target::App,
            actions: Vec::new(),
            seqs: Vec::new(),
            category: None,
        };
        self.show(slot, card).await
    }

    /// Template, policy, gate: what the event turns into.
    fn offer(&mut self, now: &Now, record: EventRecord) -> Vec<Out> {
        let rule = self.rules.feed(&record.feed_id);
        let message = present::render(&record, &rule.mapping);
        match policy::decide(&rule, &self.rules.silence, &record.event_type, &message) {
            policy::Verdict::Skip(policy::Skip::Silenced(_)) => {
                // (The rule's text is the user's own: not logged.)
                tracing::debug!(feed = %record.feed_id, seq = record.seq, "silenced by a rule");
                self.silenced.push(record.seq);
                Vec::new()
            }
            policy::Verdict::Skip(why) => {
                tracing::debug!(feed = %record.feed_id, seq = record.seq, ?why, "not notified");
                vec![Out::Done(vec![record.seq])]
            }
            policy::Verdict::Notify => {
                let offer = Offer {
                    feed: record.feed_id,
                    feed_name: record.feed_name,
                    seq: record.seq,
                    message,
                    catch_up: record.catch_up,
                    mute: rule.mute.or(self.rules.mute),
                };
                self.gate.offer(now, offer)
            }
        }
    }

    async fn apply(&mut self, outs: Vec<Out>) {
        for out in outs {
            match out {
                Out::Show(slot, card) => {
                    let _ = self.show(slot, card).await;
                }
                Out::Done(seqs) => self.notified(seqs).await,
                Out::Close(slot) => {
                    if let Some(id) = self.shown.id_of(&slot) {
                        self.shown.forget(id);
                        if let Err(e) = self.notifier.close(id).await {
                            tracing::debug!(error = %e, "close notification");
                        }
                    }
                }
            }
        }
    }

    /// Shows one card; when that ends a failing spell, shows what was kept meanwhile.
    async fn show(&mut self, slot: Slot, card: Card) -> Result<(), NotifyError> {
        let was_failing = self.problem.is_some();
        let shown = self.show_one(slot, card).await;
        if was_failing && shown.is_ok() {
            self.show_kept().await;
        }
        shown
    }

    async fn show_one(&mut self, slot: Slot, card: Card) -> Result<(), NotifyError> {
        let sound = card
            .feed
            .as_ref()
            .map(|f| self.rules.feed(f).sound)
            .unwrap_or_default();
        let notification = present::notification(&slot, &card, sound);
        let replaces = self.shown.id_of(&slot).unwrap_or(0);
        let answer =
            tokio::time::timeout(ANSWER_WITHIN, self.notifier.show(notification, replaces));
        let answer = answer.await.unwrap_or_else(|_| {
            Err(NotifyError::Refused(format!(
                "no answer within {} s",
                ANSWER_WITHIN.as_secs()
            )))
        });
        match answer {
            Ok(id) => {
                self.notified(card.seqs).await;
                self.shown.insert(
                    id,
                    OnScreen {
                        slot,
                        target: card.target,
                        actions: card.actions,
                    },
                );
                if self.problem.take().is_some() {
                    self.notice(NoticeLevel::Info, "Notifications work again.".into())
                        .await;
                    self.report_health().await;
                }
                Ok(())
            }
            Err(e) => {
                let before = self.problem.replace(e.clone());
                if before.as_ref() != Some(&e) {
                    self.report_health().await;
                }
                if before.is_none() {
                    tracing::warn!(error = %e, "cannot show notifications");
                    let message = format!(
                        "Herald cannot show notifications: {e}. Events still arrive in the \
                         timeline; Herald shows what it missed once notifications work."
                    );
                    self.notice(NoticeLevel::Warning, message).await;
                }
                if slot != Slot::Test {
                    self.kept.retain(|(s, _)| *s != slot);
                    self.kept.push((slot, card));
                    if self.kept.len() > KEPT {
                        self.kept.remove(0);
                    }
                }
                Err(e)
            }
        }
    }

    async fn show_kept(&mut self) {
        let mut rest = std::mem::take(&mut self.kept).into_iter();
        while let Some((slot, card)) = rest.next() {
            if self.show_one(slot, card).await.is_err() {
                self.kept.extend(rest);
                let over = self.kept.len().saturating_sub(KEPT);
                self.kept.drain(..over);
                break;
            }
        }
    }

    async fn on_signal(&mut self, signal: Signal) {
        match signal {
            Signal::Action { id, key } => {
                let Some(entry) = self.shown.get(id).cloned() else {
                    return; // not Herald's, or forgotten
                };
                let target = match key.strip_prefix("view:") {
                    None if key == "default" => entry.target,
                    None => return,
                    Some(n) => match n.parse::<usize>().ok().and_then(|n| entry.actions.get(n)) {
                        Some(action) => Target::Url(action.url.clone()),
                        None => return,
                    },
                };
                self.activate(target).await;
            }
            Signal::Closed { id } => {
                self.shown.forget(id);
            }
            Signal::ServiceAppeared => {
                if !self.kept.is_empty() {
                    self.show_kept().await;
                }
            }
        }
    }

    /// A click: a URL opens in the browser (http and https only); anything else brings Herald
    /// forward.
    async fn activate(&self, target: Target) {
        let report = match target {
            Target::Url(url) => {
                match link::http_url(&url) {
                    Ok(url) => {
                        let opener = Arc::clone(&self.opener);
                        let opened = tokio::task::spawn_blocking(move || opener.open(&url)).await;
                        if let Ok(Err(e)) = opened {
                            tracing::warn!(error = %e, "cannot open the notification's link");
                        }
                    }
                    Err(refused) => tracing::warn!(%refused, "notification link not opened"),
                }
                return;
            }
            Target::Event { feed, seq } => Report::Activate {
                feed: Some(feed),
                seq: Some(seq),
            },
            Target::Feed(feed) => Report::Activate {
                feed: Some(feed),
                seq: None,
            },
            Target::App => Report::Activate {
                feed: None,
                seq: None,
            },
        };
        let _ = self.reports.send(report).await;
    }

    /// Records the silenced events in the store and tells the UI, which marks them.
    async fn report_silenced(&mut self) {
        if self.silenced.is_empty() {
            return;
        }
        let seqs = std::mem::take(&mut self.silenced);
        if let Err(e) = self.store.mark_silenced(seqs.clone()).await {
            tracing::error!(error = %e, "store: silenced events not recorded");
        }
        let _ = self.reports.send(Report::Silenced(seqs)).await;
    }

    /// Records in the store that these events were dealt with, so a restart does not notify
    /// them again (and does summarise what a crash kept from being shown).
    async fn notified(&self, seqs: Vec<u64>) {
        if seqs.is_empty() {
            return;
        }
        if let Err(e) = self.store.mark_notified(seqs).await {
            tracing::error!(error = %e, "store: notified events not recorded");
        }
    }

    fn health(&self) -> NotifyHealth {
        NotifyHealth {
            problem: self.problem.as_ref().map(ToString::to_string),
        }
    }

    async fn report_health(&self) {
        let _ = self
            .reports
            .send(Report::Notifications(self.health()))
            .await;
    }

    async fn notice(&self, level: NoticeLevel, message: String) {
        let _ = self
            .reports
            .send(Report::Notice(Notice::new(level, message)))
            .await;
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
