//! The IPC contract, checked from both sides: this test serializes a sample of every value the
//! UI receives (and of the notification rules, which it also sends back), exactly as the app sends it, into `.ci/ui/generated/contract.js`, each annotated
//! with its JSDoc type from `ui/js/types.js`. The UI checks type-check that file with tsc: a
//! field Rust sends that the JSDoc does not know, or one the JSDoc requires that Rust does not
//! send, fails there. This test fails when the file is not what the Rust types produce now.
//!
//! After changing a type on either side: `HERALD_BLESS=1 cargo test --workspace --test
//! ipc_contract`, then run the UI checks (`bash .ci/ui/check.sh`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use herald::models::{AppInfo, ExportResult};
use herald_engine::feed::probe::{FailureKind, FeedTest, TestEvent, TestFailure};
use herald_engine::feed::{
    ErrorKind, FeedDraft, FeedError, FeedId, FeedStatus, ResumeMode, SecretsAt, StopReason,
};
use herald_engine::notify::rule::{FeedRule, Mapping, Mute, NotifySettings, QuietHours, Sound};
use herald_engine::notify::{Message, Priority, ViewAction};
use herald_engine::report::{FeedView, NotifyHealth};
use herald_engine::settings::feeds::ImportSummary;
use herald_engine::settings::{GeneralSettings, Theme};
use herald_engine::{EventRecord, Notice, NoticeLevel};
use serde::Serialize;

fn contract_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.ci/ui/generated/contract.js")
}

/// Every state a feed can be in, each with what the app fills in.
fn statuses() -> Vec<FeedStatus> {
    let mut refused = FeedError::new(ErrorKind::Connect, "connection refused");
    refused.hint = Some("Check that the server is running.".into());
    let mut unauthorized = FeedError::new(ErrorKind::Http, "the server answered 401");
    unauthorized.status = Some(401);
    vec![
        FeedStatus::STARTING,
        FeedStatus::Connecting {
            attempt: 2,
            reason: Some("the computer woke from sleep".into()),
        },
        FeedStatus::Live {
            since: 1_700_000_000_000,
        },
        FeedStatus::Backoff {
            attempt: 3,
            next_try_at: 1_700_000_004_000,
            error: refused,
        },
        FeedStatus::NeedsAttention {
            next_try_at: 1_700_000_600_000,
            error: unauthorized,
        },
        FeedStatus::Stopped {
            reason: StopReason::Server,
        },
        FeedStatus::Stopped {
            reason: StopReason::User,
        },
    ]
}

fn feed_views() -> Vec<FeedView> {
    let mut config = FeedDraft {
        name: "Builds".into(),
        url: "https://ci.example/events".into(),
        headers: "Authorization: Bearer s3cr3t-t0ken".into(),
        ..FeedDraft::default()
    }
    .validate()
    .unwrap();
    config.id = FeedId("builds000001".into());
    let mut views: Vec<FeedView> = statuses()
        .into_iter()
        .map(|status| FeedView::new(&config, status))
        .collect();
    // Every optional field set: paused, its own CA, an idle timeout, ntfy's resume mode.
    config.paused = true;
    config.ca_cert = Some("/home/me/ca.pem".into());
    config.idle_timeout_secs = Some(300);
    config.resume = ResumeMode::NtfySince;
    config.secrets = SecretsAt::Keychain;
    let paused = FeedStatus::Stopped {
        reason: StopReason::User,
    };
    views.push(FeedView::new(&config, paused));
    config.resume = ResumeMode::LastEventId;
    config.secrets = SecretsAt::KeychainLocked;
    views.push(FeedView::new(&config, FeedStatus::STARTING));
    views
}

/// A test that read an event, one that read none, and a failure of every kind.
fn feed_tests() -> Vec<FeedTest> {
    let event = TestEvent {
        event_type: "deploy".into(),
        data: "{\"title\":\"Deploy finished\"}".into(),
        last_event_id: "42".into(),
    };
    let stream = FeedTest {
        ok: true,
        status: Some(200),
        content_type: Some("text/event-stream; charset=utf-8".into()),
        elapsed_ms: 412,
        events: vec![event],
        failure: None,
    };
    let quiet = FeedTest {
        events: Vec::new(),
        elapsed_ms: 3_020,
        ..stream.clone()
    };
    let broke = FeedTest {
        failure: Some(TestFailure {
            kind: FailureKind::Stream,
            message: "the stream broke: connection reset".into(),
            status: None,
            hint: None,
        }),
        ..stream.clone()
    };
    let failed = |kind, message: &str, status: Option<u16>, hint: Option<&str>| FeedTest {
        ok: false,
        status,
        content_type: status.map(|_| "text/plain".to_owned()),
        elapsed_ms: 18,
        events: Vec::new(),
        failure: Some(TestFailure {
            kind,
            message: message.into(),
            status: status.filter(|_| kind == FailureKind::Http),
            hint: hint.map(str::to_owned),
        }),
    };
    vec![
        stream,
        quiet,
        broke,
        failed(
            FailureKind::Dns,
            "the host name ci.example does not resolve",
            None,
            Some("check the host name in the URL, and that this computer is online"),
        ),
        failed(
            FailureKind::Refused,
            "127.0.0.1:8080 refused the connection",
            None,
            Some("is the server running, and is the port right?"),
        ),
        failed(
            FailureKind::Timeout,
            "ci.example:443 did not answer within 10 s",
            None,
            None,
        ),
        failed(
            FailureKind::Tls,
            "the server's certificate is not trusted: it is signed by an unknown issuer",
            None,
            Some("for a self-hosted server, choose its CA certificate file in the feed's settings"),
        ),
        failed(
            FailureKind::Http,
            "HTTP 401 Unauthorized: {\"error\": \"token expired\"}",
            Some(401),
            Some("check the token or credentials in the feed's headers"),
        ),
        failed(
            FailureKind::ContentType,
            "the server answered with text/html, not text/event-stream",
            Some(200),
            None,
        ),
        failed(
            FailureKind::Request,
            "cannot read /home/me/ca.pem: No such file or directory",
            None,
            None,
        ),
        failed(
            FailureKind::Connect,
            "cannot connect to ci.example:443: network unreachable",
            None,
            None,
        ),
    ]
}

fn general_settings() -> Vec<GeneralSettings> {
    let limited = GeneralSettings {
        retention: Default::default(),
        theme: Theme::System,
        keychain: true,
    };
    let unlimited = GeneralSettings {
        retention: herald_engine::feed::Retention {
            max_events: None,
            max_age_days: None,
        },
        theme: Theme::Dark,
        keychain: false,
    };
    let light = GeneralSettings {
        theme: Theme::Light,
        ..limited
    };
    vec![limited, unlimited, light]
}

fn app_info() -> AppInfo {
    AppInfo::new(
        Path::new("/home/me/.config/herald/settings.json"),
        Path::new("/home/me/.local/share/herald/herald.db"),
        Path::new("/home/me/.local/share/herald/logs"),
    )
}

fn event_record() -> EventRecord {
    EventRecord {
        seq: 42,
        feed_id: FeedId("builds000001".into()),
        feed_name: "Builds".into(),
        event_type: "deploy".into(),
        data: "{\"title\":\"Deploy finished\"}".into(),
        last_event_id: "42".into(),
        received_at: 1_700_000_000_000,
        read: false,
        catch_up: true,
        silenced: false,
    }
}

/// Rules with every field set, so each reaches the contract.
fn notification_settings() -> NotifySettings {
    let rule = FeedRule {
        enabled: true,
        min_priority: Priority::High,
        types: vec!["deploy".into()],
        mute: Mute::Until {
            until_ms: 1_700_003_600_000,
        },
        sound: Sound::Named("message-new-instant".into()),
        mapping: Mapping {
            title: Some("/build/name".into()),
            body: Some("/build/status".into()),
            url: Some("/build/url".into()),
            priority: Some("/level".into()),
            group: Some("/build/id".into()),
        },
        silence: vec!["nightly".into()],
        connection_alert_mins: Some(10),
        silence_alert_hours: None,
    };
    let muted = FeedRule {
        mute: Mute::Forever,
        sound: Sound::None,
        ..FeedRule::default()
    };
    let mut rules = NotifySettings {
        quiet: Some(QuietHours {
            days: vec![0, 1, 2, 3, 4],
            start_min: 22 * 60,
            end_min: 7 * 60,
            critical_passes: true,
        }),
        silence: vec!["heartbeat".into()],
        ..NotifySettings::default()
    };
    rules.feeds.insert(FeedId("builds000001".into()), rule);
    rules.feeds.insert(FeedId("noisy0000001".into()), muted);
    rules
        .feeds
        .insert(FeedId("plain0000001".into()), FeedRule::default());
    rules
}

fn message() -> Message {
    Message {
        title: "⚠️ Disk full".into(),
        body: "sda1 at 99%".into(),
        priority: Priority::Max,
        click: Some("https://grafana.example/d/1".into()),
        actions: vec![ViewAction {
            label: "Runbook".into(),
            url: "https://wiki.example/runbook".into(),
        }],
        group: Some("disk".into()),
        tags: vec!["prod".into()],
    }
}

/// One `export const` with its JSDoc type.
fn sample(name: &str, jsdoc_type: &str, value: &impl Serialize) -> String {
    let json = serde_json::to_string_pretty(value).unwrap();
    format!("/** @type {{{jsdoc_type}}} */\nexport const {name} = {json};\n")
}

fn generated() -> String {
    let types = |t: &str| format!("import(\"../../../ui/js/types.js\").{t}");
    let samples = [
        sample(
            "feedViews",
            &format!("{}[]", types("FeedView")),
            &feed_views(),
        ),
        sample("eventRecord", &types("EventRecord"), &event_record()),
        sample(
            "notificationSettings",
            &types("NotifySettings"),
            &notification_settings(),
        ),
        sample("message", &types("NotificationMessage"), &message()),
        sample(
            "notificationHealth",
            &types("NotifyHealth"),
            &NotifyHealth {
                problem: Some("no notification service is running".into()),
            },
        ),
        sample(
            "notice",
            &types("Notice"),
            &Notice::new(NoticeLevel::Warning, "Herald cannot save events."),
        ),
        sample(
            "feedTests",
            &format!("{}[]", types("FeedTest")),
            &feed_tests(),
        ),
        sample("eventCount", "number", &1_234u64),
        sample(
            "unreadCounts",
            "Record<string, number>",
            &HashMap::from([(FeedId("builds000001".into()), 3u64)]),
        ),
        sample(
            "generalSettings",
            &format!("{}[]", types("GeneralSettings")),
            &general_settings(),
        ),
        sample("appInfo", &types("AppInfo"), &app_info()),
        sample(
            "exportResult",
            &types("ExportResult"),
            &ExportResult {
                path: "/home/me/Downloads/herald-feeds-2024-05-01.json".into(),
                count: 3,
            },
        ),
        sample(
            "importSummary",
            &types("ImportSummary"),
            &ImportSummary {
                added: vec!["Builds".into()],
                updated: vec!["Alerts".into()],
                missing_secrets: vec!["Builds".into()],
            },
        ),
    ];
    format!(
        "// @ts-check\n// Generated by tests/tests/ipc_contract.rs from the Rust types (do not edit):\n\
         // HERALD_BLESS=1 cargo test --workspace --test ipc_contract\n\n{}",
        samples.join("\n")
    )
}

#[test]
fn the_ui_contract_file_is_what_the_rust_types_send() {
    let want = generated();
    let path = contract_file();
    if std::env::var_os("HERALD_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "{} is not what the Rust types send now. Run `HERALD_BLESS=1 cargo test --workspace \
         --test ipc_contract`, then `bash .ci/ui/check.sh` to check ui/js/types.js against it.",
        path.display()
    );
}

#[test]
fn header_values_never_reach_the_ui() {
    let views = serde_json::to_string(&feed_views()).unwrap();
    assert!(views.contains("Authorization"));
    assert!(!views.contains("s3cr3t"), "{views}");
}
