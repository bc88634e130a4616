//! The real app in a real window for the end-to-end suites: launched by WebKitWebDriver with
//! a temporary home, a private D-Bus with a recording notification server, and helpers that
//! read the window the way a person does (the rows on screen, a feed's status in the sidebar).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::app::{Home, herald_binary};
use crate::dbus::{PrivateBus, Recorder};
use crate::numbered::{NumberedOptions, NumberedServer};
use crate::server::dead_port;
use crate::tray::TrayHost;
use crate::webdriver::{Driver, Element, Session};

/// Generous: a loaded CI machine can take a while to start WebKit.
pub const WAIT: Duration = Duration::from_secs(60);

/// One timeline row as shown: feed, type, the one-line text, id, title.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Row {
    /// The feed's name.
    pub feed: String,
    /// The SSE event type.
    pub kind: String,
    /// The row's one line of text (the message, or the data with whitespace folded).
    pub text: String,
    /// The Last-Event-ID ("" when none).
    pub id: String,
    /// The title (the message's, or the feed's name).
    pub title: String,
}

/// Everything one app run needs: a home, a private bus with a recorder, a driver, a session.
pub struct App {
    /// The WebDriver session on the app's window.
    pub session: Session,
    /// The notification server on the app's session bus.
    pub recorder: Recorder,
    /// The panel that shows the app's tray icon, on the same bus.
    pub tray: TrayHost,
    /// The app's instance lock and control socket.
    instance: herald_engine::instance::Paths,
    _driver: Driver,
    _bus: PrivateBus,
}

impl App {
    /// Starts the app for `home`, with the demo server on a dead port unless the settings
    /// subscribe it.
    pub async fn launch(home: &Home) -> App {
        App::launch_with(home, &[]).await
    }

    /// Starts the app for `home` as `herald ARGS…`.
    pub async fn launch_with(home: &Home, args: &[&str]) -> App {
        App::launch_on(home, args, PrivateBus::start()).await
    }

    /// Starts the app for `home` as `herald ARGS…` on `bus` (where the test may have started
    /// services of its own first, such as a keychain).
    pub async fn launch_on(home: &Home, args: &[&str], bus: PrivateBus) -> App {
        let recorder = Recorder::start(&bus.address).await;
        let tray = TrayHost::start(&bus.address).await;
        let demo_port = dead_port().to_string();
        let mut env: Vec<(&str, std::ffi::OsString)> = home
            .env()
            .into_iter()
            .map(|(k, v)| (k, v.into_os_string()))
            .collect();
        env.push(("DBUS_SESSION_BUS_ADDRESS", bus.address.clone().into()));
        env.push(("HERALD_DEMO_PORT", demo_port.into()));
        let env: Vec<(&str, &std::ffi::OsStr)> =
            env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        let driver = Driver::start(&env).await;
        let session = driver.session_with_args(&herald_binary(), args).await;
        App {
            session,
            recorder,
            tray,
            instance: home.instance(),
            _driver: driver,
            _bus: bus,
        }
    }

    /// The address of the app's session bus.
    pub fn bus_address(&self) -> &str {
        &self._bus.address
    }

    /// Ends the session and quits the app (which would otherwise live on in the tray), then
    /// stops the driver and the bus. Returns once the app's process has ended.
    pub async fn close(self) {
        self.session.close().await;
        quit(&self.instance).await;
    }

    /// Waits for the app's window to be back after it was closed (a tray item, a second
    /// launch, a notification click), and points the session at it.
    pub async fn wait_window(&self) {
        let handle = crate::eventually_some("the window to open again", WAIT, || async {
            self.session.window_handles().await.into_iter().next()
        })
        .await;
        self.session.switch_to_window(&handle).await;
    }

    /// The first displayed element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        self.session.find(css, WAIT).await
    }

    /// Clicks the first displayed element matching `css`.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.session.click(&element).await;
    }

    /// Types into the first displayed element matching `css` (cleared first).
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.session.type_into(&element, text).await;
    }

    /// The text of the first element matching `css`, or None when there is none.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let script = format!(
            "const n = document.querySelector({}); return n && n.textContent",
            Value::String(css.into())
        );
        self.session
            .script(&script)
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Waits until `css`'s text satisfies `check`, and returns it.
    pub async fn wait_text(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text_of(css).await;
            if let Some(text) = &text
                && check(text)
            {
                return text.clone();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} in {css}: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The timeline rows in the DOM that show an event, in order (newest first). The list is
    /// virtual: these are the rows on screen plus a small margin.
    pub async fn rows(&self) -> Vec<Row> {
        let rows = self
            .session
            .script(
                "return Array.from(document.querySelectorAll('#timeline .event-row:not(.placeholder)'))\
                 .sort((a, b) => Number(a.getAttribute('aria-posinset')) - Number(b.getAttribute('aria-posinset')))\
                 .map(r => { const t = c => r.querySelector(c).textContent; \
                   return { feed: t('.event-feed'), kind: t('.event-type'), text: t('.event-data'), \
                            id: t('.event-id'), title: t('.event-title') }; });",
            )
            .await;
        serde_json::from_value(rows).expect("rows")
    }

    /// Waits for at least `n` rows on screen.
    pub async fn wait_for_rows(&self, n: usize) -> Vec<Row> {
        let deadline = Instant::now() + WAIT;
        loop {
            let rows = self.rows().await;
            if rows.len() >= n {
                return rows;
            }
            assert!(
                Instant::now() < deadline,
                "{n} timeline rows expected, have {rows:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A feed's sidebar entry as [dot state, status label], by its name.
    pub async fn feed_state(&self, name: &str) -> Option<[String; 2]> {
        let script = format!(
            "const item = Array.from(document.querySelectorAll('#feed-list .feed-item'))\
             .find(i => i.querySelector('.feed-name').textContent === {}); \
             return item ? [item.dataset.state, item.querySelector('.feed-state').textContent] : null;",
            Value::String(name.into())
        );
        serde_json::from_value(self.session.script(&script).await).expect("state")
    }

    /// Waits until the feed named `name` shows as live in the sidebar.
    pub async fn wait_live(&self, name: &str) {
        crate::eventually_async(&format!("{name} to be live"), WAIT, || async {
            self.feed_state(name).await.is_some_and(|s| s[0] == "live")
        })
        .await;
    }

    /// Clicks the sidebar entry of the feed named `name`.
    pub async fn open_feed(&self, name: &str) {
        let script = format!(
            "const item = Array.from(document.querySelectorAll('#feed-list .feed-entry'))\
             .find(b => b.querySelector('.feed-name').textContent === {}); \
             if (item) item.click(); return Boolean(item);",
            Value::String(name.into())
        );
        assert_eq!(
            self.session.script(&script).await,
            Value::Bool(true),
            "{name} in the sidebar"
        );
    }

    /// Sets the search box's text as typing would (an `input` event).
    pub async fn search(&self, text: &str) {
        let script = format!(
            "const s = document.getElementById('search'); s.value = {}; \
             s.dispatchEvent(new Event('input')); return true",
            Value::String(text.into())
        );
        self.session.script(&script).await;
    }

    /// Picks `value` in a `<select>` as a person would (a `change` event).
    pub async fn choose(&self, css: &str, value: &str) {
        let script = format!(
            "const s = document.querySelector({}); s.value = {}; \
             s.dispatchEvent(new Event('change')); return true",
            Value::String(css.into()),
            Value::String(value.into())
        );
        self.session.script(&script).await;
    }

    /// Waits until the timeline counts `n` events. The count is in the user's locale
    /// ("100,000", "100.000", "100000"): the digits are compared.
    pub async fn wait_count(&self, n: u64) {
        let want = n.to_string();
        self.wait_text("#timeline-count", &format!("{n} events"), |t| {
            let digits: String = t.chars().filter(char::is_ascii_digit).collect();
            t.ends_with(" events") && digits == want
        })
        .await;
    }

    /// Saves a screenshot under the build's `e2e/` folder, once the last change has painted.
    pub async fn screenshot(&self, name: &str) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.session.screenshot(&screenshot_dir().join(name)).await;
    }
}

/// Asks the app of `instance` to quit (as `herald quit` does) and waits until its process has
/// released the instance lock. An app that is not running is fine.
pub async fn quit(instance: &herald_engine::instance::Paths) {
    use herald_engine::instance::{InstanceLock, client, protocol::Request};
    let _ = client::call::<()>(&instance.socket, &Request::Quit).await;
    let lock = instance.lock.clone();
    let freed = tokio::task::spawn_blocking(move || InstanceLock::acquire_within(&lock, WAIT))
        .await
        .expect("the lock's thread");
    assert!(
        matches!(freed, Ok(Some(_))),
        "the app did not quit within {WAIT:?}: {freed:?}"
    );
}

/// Where the end-to-end run leaves its screenshots.
pub fn screenshot_dir() -> PathBuf {
    herald_binary().parent().unwrap().join("e2e")
}

/// A settings file with one feed (the current format).
pub fn one_feed_settings(id: &str, name: &str, url: &str) -> String {
    serde_json::json!({"version": 4, "feeds": [{"id": id, "name": name, "url": url}]}).to_string()
}

/// A home subscribed to one feed, "Many", of `total` numbered events sent as fast as the server
/// can: a big store to fill. The server must live as long as the feed should.
pub async fn many_events(total: u64) -> (NumberedServer, Home) {
    let server = NumberedServer::start(NumberedOptions {
        total,
        pause_chance: 0.0,
        replay_chance: 0.0,
        burst: 64..=256,
        ..NumberedOptions::default()
    })
    .await;
    let home = Home::new();
    home.write_settings(&one_feed_settings(
        "many00000001",
        "Many",
        &server.url("/many"),
    ));
    (server, home)
}
