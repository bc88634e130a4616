//! The engine as the chaos and scale suites and the `feeds` bench drive it, and the chaos run
//! they share.
//!
//! [`Harness`] starts a real engine (by default: settings in a temporary dir, no demo feed, a
//! notifier that records instead of showing; [`Harness::builder`] changes each) and waits for
//! its reports. [`SequenceCheck`] checks the numbered events of one feed as they reach the
//! sink: each exactly once, in order, with the exact data. [`run_chaos`] puts a
//! [`ChaosProxy`](crate::chaos::ChaosProxy) between the engine and a
//! [`NumberedServer`](crate::numbered::NumberedServer) and reports what arrived.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_engine::demo::DemoOptions;
use herald_engine::feed::backoff::BackoffPolicy;
use herald_engine::feed::{ErrorKind, FeedConfig, FeedDraft, FeedId, FeedOptions, FeedStatus};
use herald_engine::instance::server::{self, ShellRequest};
use herald_engine::instance::{self, InstanceLock, Paths};
use herald_engine::notify::rule::NotifySettings;
use herald_engine::notify::{Notifier, Opener};
use herald_engine::settings::{Settings, SettingsFile};
use herald_engine::store::{Query, StoreReader};
use herald_engine::{EngineHandle, EngineOptions, EventRecord, Report, engine, triggers};
use tokio::sync::mpsc;

use crate::app::Home;
use crate::chaos::{ChaosCounts, ChaosProxy, Plan, RandomFaults};
use crate::numbered::{self, NumberedCounts, NumberedOptions, NumberedServer};
pub use crate::recording::{Recording, RecordingOpener};

/// How long [`Harness::next_matching`] waits.
pub const REPORT_WAIT: Duration = Duration::from_secs(10);

/// Feed options for tests that break connections hundreds of times: a short idle watchdog and
/// a backoff of milliseconds (5 ms floor, 50 ms cap) instead of seconds.
pub fn fast_feed_options(idle_timeout: Duration) -> FeedOptions {
    FeedOptions {
        idle_timeout,
        backoff: BackoffPolicy {
            initial: Duration::from_millis(5),
            min: Duration::from_millis(5),
            cap: Duration::from_millis(50),
        },
        ..FeedOptions::default()
    }
}

/// A running engine with its settings in a temporary dir (or a home dir the test keeps).
pub struct Harness {
    /// The engine.
    pub engine: EngineHandle,
    /// Everything it reports; drain it, or the engine stalls once the queue is full.
    pub reports: mpsc::Receiver<Report>,
    /// What it would have shown as notifications (empty when the builder passed a notifier).
    pub notifier: Arc<Recording>,
    /// Makes every feed reconnect, as waking from sleep or a network change does. (The machine's
    /// own watchers are not used: a real network change during a test must not disturb it.)
    pub triggers: mpsc::Sender<triggers::Reason>,
    /// The settings file.
    settings: PathBuf,
    /// The event store's database.
    store: PathBuf,
    /// Held while [`Harness::serve_control`] plays the running app: the instance lock and the
    /// control socket's task.
    control: Option<(InstanceLock, tokio::task::JoinHandle<()>)>,
    /// Holds a temporary home; removed on drop (`None` when the test passed its own).
    _temp: Option<tempfile::TempDir>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some((_, task)) = &self.control {
            task.abort();
        }
    }
}

/// How a [`Harness`] starts: [`Harness::builder`], then `.start()`.
pub struct HarnessBuilder {
    feed_options: FeedOptions,
    feeds: Vec<FeedConfig>,
    /// (settings file, store) when the test chose where.
    files: Option<(PathBuf, PathBuf)>,
    notifier: Option<Arc<dyn Notifier>>,
    opener: Option<Arc<dyn Opener>>,
    notifications: Option<NotifySettings>,
    demo: Option<DemoOptions>,
}

impl HarnessBuilder {
    /// Connection options for every feed (default: the app's).
    pub fn feed_options(mut self, options: FeedOptions) -> Self {
        self.feed_options = options;
        self
    }

    /// A settings file that already lists `feeds`: the engine starts them all at boot, as the
    /// app does at login.
    pub fn feeds(mut self, feeds: Vec<FeedConfig>) -> Self {
        self.feeds = feeds;
        self
    }

    /// Keeps settings in `home` (which the test owns and may reuse for a restart) instead of
    /// a fresh temporary dir.
    pub fn home(mut self, home: &Path) -> Self {
        self.files = Some((home.join("settings.json"), home.join("herald.db")));
        self
    }

    /// Keeps settings and events where the app in `home` keeps them (its XDG dirs), so the
    /// `herald` binary run with `home`'s environment sees this engine's files.
    pub fn app_home(mut self, home: &Home) -> Self {
        self.files = Some((home.settings_file(), home.store_file()));
        self
    }

    /// Shows notifications through `notifier` instead of the recording one.
    pub fn notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// Opens notification links through `opener` (default: none are opened).
    pub fn opener(mut self, opener: Arc<dyn Opener>) -> Self {
        self.opener = Some(opener);
        self
    }

    /// Starts with these notification rules in the settings.
    pub fn notifications(mut self, rules: NotifySettings) -> Self {
        self.notifications = Some(rules);
        self
    }

    /// Subscribes the demo feed on a first run (on a free port, paced by `options`), as the
    /// app does.
    pub fn first_run_demo(mut self, options: DemoOptions) -> Self {
        self.demo = Some(options);
        self
    }

    /// Starts the engine.
    pub fn start(self) -> Harness {
        let ((settings, store), temp) = match self.files {
            Some(files) => (files, None),
            None => {
                let temp = tempfile::tempdir().expect("temp dir");
                let files = (
                    temp.path().join("settings.json"),
                    temp.path().join("herald.db"),
                );
                (files, Some(temp))
            }
        };
        let file = SettingsFile::new(&settings);
        if !self.feeds.is_empty() || self.notifications.is_some() {
            let settings = Settings {
                feeds: self.feeds,
                notifications: self.notifications.unwrap_or_default(),
                ..Settings::default()
            };
            file.save(&settings).expect("settings written");
        }
        let recording = Arc::new(Recording::default());
        let notifier = self.notifier.unwrap_or_else(|| recording.clone());
        let mut options = EngineOptions::new(file, store.clone(), notifier);
        options.feed_options = self.feed_options;
        if let Some(opener) = self.opener {
            options.opener = opener;
        }
        options.demo_on_first_run = self.demo.is_some();
        options.demo_options = self.demo.unwrap_or_default();
        options.demo_port = 0;
        let (triggers, triggers_rx) = mpsc::channel(4);
        options.triggers = Some(triggers_rx);
        let (engine, reports) = engine::start(options);
        Harness {
            engine,
            reports,
            notifier: recording,
            triggers,
            settings,
            store,
            control: None,
            _temp: temp,
        }
    }
}

impl Harness {
    /// A builder: settings in a fresh temporary dir, no feeds, no demo, a recording notifier.
    pub fn builder() -> HarnessBuilder {
        HarnessBuilder {
            feed_options: FeedOptions::default(),
            feeds: Vec::new(),
            files: None,
            notifier: None,
            opener: None,
            notifications: None,
            demo: None,
        }
    }

    /// An engine with no feeds.
    pub fn start(feed_options: FeedOptions) -> Harness {
        Harness::builder().feed_options(feed_options).start()
    }

    /// An engine whose settings file already lists `feeds`.
    pub fn start_with(feed_options: FeedOptions, feeds: Vec<FeedConfig>) -> Harness {
        Harness::builder()
            .feed_options(feed_options)
            .feeds(feeds)
            .start()
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.settings.clone()
    }

    /// The event store's database.
    pub fn store_file(&self) -> PathBuf {
        self.store.clone()
    }

    /// Plays the running app for `herald` commands: takes the instance lock at `paths` and
    /// answers on its control socket, as the app does (`Show` and `Quit` go to the returned
    /// receiver). Panics if another holds the lock.
    pub fn serve_control(&mut self, paths: &Paths) -> mpsc::Receiver<ShellRequest> {
        let lock = InstanceLock::try_acquire(&paths.lock)
            .expect("lock file")
            .expect("no other app holds the lock");
        instance::remove_stale_socket(&paths.socket);
        let listener = server::bind(&paths.socket).expect("control socket");
        let (shell, shell_rx) = mpsc::channel(8);
        let task = server::serve(listener, self.engine.clone(), shell);
        self.control = Some((lock, task));
        shell_rx
    }

    /// Stops the engine as Quit does (feeds closed, the store flushed) and waits for it, so a
    /// harness started next on the same home sees everything this one kept.
    pub async fn stop(self) {
        self.engine.shutdown().await.expect("the engine shuts down");
    }

    /// Stops playing the running app: the socket stops answering and the lock is released.
    pub fn stop_control(&mut self) {
        if let Some((lock, task)) = self.control.take() {
            task.abort();
            drop(lock);
        }
    }

    /// Adds a feed named `name` at `url`.
    pub async fn add(&self, name: &str, url: &str) -> FeedId {
        let draft = FeedDraft {
            name: name.into(),
            url: url.into(),
            ..FeedDraft::default()
        };
        self.engine.add_feed(draft).await.expect("valid feed").id
    }

    /// The next report that `pick` accepts, skipping others; panics after [`REPORT_WAIT`].
    pub async fn next_matching<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(Report) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + REPORT_WAIT;
        loop {
            let report = self
                .next_report(deadline)
                .await
                .unwrap_or_else(|| panic!("timed out waiting for {what}"));
            if let Some(found) = pick(report) {
                return found;
            }
        }
    }

    /// The next event that reaches the sink.
    pub async fn next_event(&mut self) -> EventRecord {
        self.next_matching("an event", |r| match r {
            Report::Event(e) => Some(e),
            _ => None,
        })
        .await
    }

    /// The next status that matches `want`.
    pub async fn next_status(
        &mut self,
        what: &str,
        want: impl Fn(&FeedStatus) -> bool,
    ) -> FeedStatus {
        self.next_matching(what, |r| match r {
            Report::Status { status, .. } if want(&status) => Some(status),
            _ => None,
        })
        .await
    }

    /// The next status saying a connection failed (backoff or needs attention).
    pub async fn next_error_status(&mut self) -> FeedStatus {
        self.next_status("an error status", |s| {
            matches!(
                s,
                FeedStatus::Backoff { .. } | FeedStatus::NeedsAttention { .. }
            )
        })
        .await
    }

    /// The next report, or `None` at `deadline` (or when the engine stopped).
    pub async fn next_report(&mut self, deadline: Instant) -> Option<Report> {
        tokio::time::timeout_at(deadline.into(), self.reports.recv())
            .await
            .ok()
            .flatten()
    }
}

/// Every event in the store at `path`, oldest first, read page by page on a read-only
/// connection (beside a running app, as `herald history` reads). Empty when it cannot be read.
pub fn stored_events(path: &Path) -> Vec<EventRecord> {
    let Ok(reader) = StoreReader::open_read_only(path) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let query = Query {
            before,
            limit: 1000,
            ..Query::default()
        };
        let page = reader.page(&query).unwrap_or_default();
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        all.extend(page);
    }
    all.reverse();
    all
}

/// Raises the soft limit of open files to `want` (at most the hard limit) and returns the limit
/// now in force: 1,000 feeds and their server in one process need over 2,000 descriptors, and
/// many systems start processes with a soft limit of 1,024.
pub fn raise_fd_limit(want: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < want {
            let raised = libc::rlimit {
                rlim_cur: want.min(limit.rlim_max),
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

/// `name` from the environment as a number, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
        Err(_) => default,
    }
}

/// Checks one feed's numbered events as they reach the sink: ids 1..=total, each exactly once,
/// in order, each with the type and data [`numbered::expected`] says.
#[derive(Debug)]
pub struct SequenceCheck {
    path: String,
    total: u64,
    /// The id due next.
    next: u64,
    /// Events seen at the sink.
    pub delivered: u64,
    /// Events whose id was already delivered.
    pub duplicates: u64,
    /// Ids skipped over: events lost.
    pub lost: u64,
    /// Events with the right id but the wrong type or data.
    pub garbled: u64,
    /// The first few problems, described.
    pub problems: Vec<String>,
}

impl SequenceCheck {
    /// A check of the stream at `path` with ids 1..=`total`.
    pub fn new(path: &str, total: u64) -> SequenceCheck {
        SequenceCheck {
            path: path.to_owned(),
            total,
            next: 1,
            delivered: 0,
            duplicates: 0,
            lost: 0,
            garbled: 0,
            problems: Vec::new(),
        }
    }

    /// Checks the next event at the sink.
    pub fn observe(&mut self, record: &EventRecord) {
        self.delivered += 1;
        let Ok(id) = record.last_event_id.parse::<u64>() else {
            self.garbled += 1;
            self.problem(format!("event without a numeric id: {record:?}"));
            return;
        };
        if id < self.next {
            self.duplicates += 1;
            self.problem(format!("event {id} again, after {}", self.next - 1));
            return;
        }
        if id > self.next {
            self.lost += id - self.next;
            self.problem(format!("events {}..{id} lost", self.next));
        }
        self.next = id + 1;
        let want = numbered::expected(&self.path, id);
        if record.event_type != want.event_type || record.data != want.data {
            self.garbled += 1;
            self.problem(format!(
                "event {id}: got {:?} {:?}, want {:?} {:?}",
                record.event_type, record.data, want.event_type, want.data
            ));
        }
    }

    /// Every id up to the last has been seen.
    pub fn complete(&self) -> bool {
        self.next > self.total
    }

    /// Complete, and nothing lost, doubled or garbled.
    pub fn clean(&self) -> bool {
        self.complete()
            && self.duplicates == 0
            && self.lost == 0
            && self.garbled == 0
            && self.delivered == self.total
    }

    /// Events never delivered: skipped over, or still due when the run ended.
    pub fn missing(&self) -> u64 {
        self.lost + (self.total + 1).saturating_sub(self.next)
    }

    fn problem(&mut self, what: String) {
        if self.problems.len() < 10 {
            self.problems.push(what);
        }
    }
}

/// The chaos seed unless `HERALD_CHAOS_SEED` says otherwise: fixed, so runs are reproducible.
pub const DEFAULT_CHAOS_SEED: u64 = 0x4845_5241_4c44; // "HERALD"

/// One chaos run: how many events, the seed, and how hard to break things.
#[derive(Debug, Clone)]
pub struct ChaosRun {
    /// Events 1..=events must all arrive.
    pub events: u64,
    /// Seed of the proxy's faults and the server's stream shapes.
    pub seed: u64,
    /// The engine's idle watchdog: the time a stalled link costs.
    pub idle_timeout: Duration,
    /// Fail (with what arrived so far) rather than hang.
    pub deadline: Duration,
    /// The proxy's faults.
    pub faults: RandomFaults,
    /// The server's stream shapes (its `total` and `seed` are set from the fields above).
    pub upstream: NumberedOptions,
}

impl ChaosRun {
    /// The suite's run: every connection is broken after 1–20,000 bytes (about 130 events), 2 %
    /// of them by a stall, half of the cuts with a RST, every 250th by a 250 ms upstream outage;
    /// the server replays 1–3 events on a quarter of its resumed streams.
    pub fn standard(events: u64, seed: u64) -> ChaosRun {
        ChaosRun {
            events,
            seed,
            idle_timeout: Duration::from_millis(300),
            deadline: Duration::from_secs(180),
            faults: RandomFaults {
                after: 1..=20_000,
                stall_chance: 0.02,
                reset_chance: 0.5,
                restart_every: 250,
                restart_pause: Duration::from_millis(250),
            },
            upstream: NumberedOptions::default(),
        }
    }
}

/// What a chaos run delivered, and what it went through.
#[derive(Debug)]
pub struct ChaosOutcome {
    /// The run's seed, to replay it.
    pub seed: u64,
    /// Events that should arrive.
    pub events: u64,
    /// What arrived, checked.
    pub check: SequenceCheck,
    /// Time until the last event arrived (or the deadline).
    pub elapsed: Duration,
    /// Times the feed went live.
    pub lives: u64,
    /// Connection attempts refused (while the upstream was down).
    pub refused: u64,
    /// What the proxy did.
    pub chaos: ChaosCounts,
    /// What the server sent.
    pub upstream: NumberedCounts,
}

impl fmt::Display for ChaosOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (c, u, k) = (&self.chaos, &self.upstream, &self.check);
        writeln!(
            f,
            "chaos run, seed {} (HERALD_CHAOS_SEED={0} replays it)",
            self.seed
        )?;
        writeln!(
            f,
            "  {} of {} events delivered in {:.1?}: {} lost, {} duplicated, {} garbled",
            k.delivered,
            self.events,
            self.elapsed,
            k.missing(),
            k.duplicates,
            k.garbled
        )?;
        writeln!(
            f,
            "  proxy: {} connections, {} cuts ({} RST, {} FIN), {} stalls, {} upstream restarts, \
             {} bytes forwarded",
            c.connections,
            c.cuts,
            c.resets,
            c.cuts - c.resets,
            c.stalls,
            c.restarts,
            c.bytes_down
        )?;
        writeln!(
            f,
            "  server: {} requests, {} events written, {} of them replays (dropped by the \
             engine if they arrived)",
            u.requests, u.events, u.replayed
        )?;
        writeln!(
            f,
            "  engine: live {} times, {} connection attempts refused while the upstream was down",
            self.lives, self.refused
        )?;
        let [utf8, line, line_end, event_end] = c.landings;
        writeln!(
            f,
            "  cuts and stalls struck: {utf8} inside a UTF-8 sequence, {line} inside a line, \
             {line_end} after a line, {event_end} after an event"
        )?;
        for problem in &k.problems {
            writeln!(f, "  problem: {problem}")?;
        }
        Ok(())
    }
}

/// How long to keep listening after the last event, so late duplicates would be seen.
const SETTLE: Duration = Duration::from_millis(300);

/// Runs `run`: engine → chaos proxy → numbered server, one feed, until every event arrived (or
/// the deadline), then a short settle to catch late duplicates.
pub async fn run_chaos(run: &ChaosRun) -> ChaosOutcome {
    const PATH: &str = "/events";
    let upstream = NumberedServer::start(NumberedOptions {
        total: run.events,
        seed: run.seed,
        ..run.upstream.clone()
    })
    .await;
    let plan = Plan::random(run.seed, run.faults.clone());
    let proxy = ChaosProxy::start(upstream.addr(), plan).await;
    let mut harness = Harness::start(fast_feed_options(run.idle_timeout));
    let started = Instant::now();
    let feed = harness.add("chaos", &proxy.url(PATH)).await;
    let mut check = SequenceCheck::new(PATH, run.events);
    let (mut lives, mut refused) = (0, 0);
    let mut elapsed = None;
    let mut until = started + run.deadline;
    while let Some(report) = harness.next_report(until).await {
        match report {
            Report::Event(record) => {
                assert_eq!(record.feed_id, feed, "an event of another feed");
                check.observe(&record);
            }
            Report::Status { status, .. } => match status {
                FeedStatus::Live { .. } => lives += 1,
                FeedStatus::Backoff { error, .. } if error.kind == ErrorKind::Connect => {
                    refused += 1;
                }
                _ => {}
            },
            _ => {}
        }
        if elapsed.is_none() && check.complete() {
            elapsed = Some(started.elapsed());
            until = Instant::now() + SETTLE;
        }
    }
    ChaosOutcome {
        seed: run.seed,
        events: run.events,
        check,
        elapsed: elapsed.unwrap_or_else(|| started.elapsed()),
        lives,
        refused,
        chaos: proxy.counts(),
        upstream: upstream.counts(),
    }
}
