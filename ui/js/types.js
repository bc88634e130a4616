// @ts-check
// The IPC contract with the Rust side, as JSDoc types. No runtime code: other modules
// import these names with `@typedef {import("./types.js").X} X`.

/**
 * Why a feed is not live. `status` is the HTTP status when there was one.
 * @typedef {{ kind: string, message: string, status?: number | null, hint?: string | null }} FeedError
 */

/**
 * A feed's connection state, tagged by `state`. Times are ms since the epoch. `reason` of
 * "connecting" says why it reconnects now when that is not routine (e.g. "the computer woke
 * from sleep"); "stopped" with reason "user" means the user paused the feed.
 * @typedef {{ state: "connecting", attempt: number, reason?: string }} ConnectingStatus
 * @typedef {{ state: "live", since: number }} LiveStatus
 * @typedef {{ state: "backoff", attempt: number, nextTryAt: number, error: FeedError }} BackoffStatus
 * @typedef {{ state: "needsAttention", nextTryAt: number, error: FeedError }} NeedsAttentionStatus
 * @typedef {{ state: "stopped", reason: "server" | "user" }} StoppedStatus
 * @typedef {ConnectingStatus | LiveStatus | BackoffStatus | NeedsAttentionStatus | StoppedStatus} FeedStatus
 */

/**
 * How a feed tells the server where to resume: "auto" is `Last-Event-ID` until the feed turns
 * out to be ntfy's, when the backend saves "ntfySince" itself.
 * @typedef {"auto" | "lastEventId" | "ntfySince"} ResumeMode
 */

/**
 * A subscribed feed as the backend reports it. Only the names of its request headers come:
 * their values may be secrets, which never leave the backend. `caCert` and `idleTimeoutSecs`
 * are null when not set (no extra CA; the default of 90 s). `secrets` says where the header
 * values are kept: the settings file, the system keychain, or the keychain, which has not given
 * them to Herald yet (the feed waits for it).
 * @typedef {"file" | "keychain" | "keychainWaiting"} SecretsPlace
 * @typedef {{
 *   id: string, name: string, url: string, headerNames: string[], demo: boolean,
 *   paused: boolean, caCert: string | null, idleTimeoutSecs: number | null,
 *   resume: ResumeMode, secrets: SecretsPlace, status: FeedStatus
 * }} FeedView
 */

/**
 * What the feed editor sends to `add_feed`, `update_feed` and `test_feed`. `headers` holds one
 * `Name: value` per line; in an edit, a header whose value is left blank keeps its saved value.
 * `caCert` is the path of a PEM CA certificate to trust for this feed ("" = none);
 * `idleTimeoutSecs` is how long the feed may stay silent before Herald reconnects (null = the
 * default, 90 s; the backend accepts 5..=86400); `resume` left out keeps the saved mode (a new
 * feed: "auto").
 * @typedef {{
 *   name: string, url: string, headers: string, caCert: string, idleTimeoutSecs: number | null,
 *   resume?: ResumeMode
 * }} FeedDraft
 */

/**
 * What `test_feed` found when it connected once. `kind` names the failure exactly: "dns" (the
 * host name does not resolve), "refused", "timeout", "tls" (`message` says which certificate
 * problem), "http" (`status` set, `message` carries the start of the server's answer),
 * "contentType" (not `text/event-stream`), "request" (the request could not be built), else
 * "connect" or "stream".
 * @typedef {{
 *   kind: "dns" | "refused" | "timeout" | "tls" | "http" | "contentType" | "request" | "connect" | "stream",
 *   message: string, status: number | null, hint: string | null
 * }} TestFailure
 * @typedef {{ type: string, data: string, lastEventId: string }} TestEvent
 * @typedef {{
 *   ok: boolean, status: number | null, contentType: string | null, elapsedMs: number,
 *   events: TestEvent[], failure: TestFailure | null
 * }} FeedTest
 */

/**
 * One stored server-sent event. `seq` is its place in the store: it grows with every event
 * and is never reused. `catchUp` marks the burst a server sends right after a (re)connection;
 * `silenced`, an event a silence rule kept from being notified.
 * @typedef {{
 *   seq: number, feedId: string, feedName: string, type: string, data: string,
 *   lastEventId: string, receivedAt: number, read: boolean, catchUp: boolean,
 *   silenced: boolean
 * }} EventRecord
 */

/**
 * What `list_events` and `count_events` read; every field is optional. `before` pages back
 * (older than that seq); `offset` skips that many matches after `before` (so a position far
 * down the timeline is one request from a fixed seq); `text` is a full-text search;
 * `since`/`until` are ms since the epoch.
 * @typedef {{
 *   feed?: string, type?: string, text?: string, since?: number, until?: number,
 *   unread?: boolean, before?: number, offset?: number, limit?: number
 * }} EventQuery
 */

/**
 * Something the user must be told, e.g. that the settings file was corrupt.
 * @typedef {"info" | "warning" | "error"} NoticeLevel
 * @typedef {{ level: NoticeLevel, message: string }} Notice
 */

/**
 * Payload of `herald://status`.
 * @typedef {{ feedId: string, status: FeedStatus }} StatusChange
 */

/**
 * Notification rules (`notification_settings`, `set_feed_rule`, `set_notification_defaults`).
 * A feed without an entry in `feeds` has the defaults. Times are ms since the epoch; quiet-hour
 * days are Monday = 0 … Sunday = 6 and times minutes after local midnight (an end before the
 * start is the next day). Mapping fields are RFC 6901 JSON pointers into the event's data.
 * @typedef {"min" | "low" | "default" | "high" | "max"} Priority
 * @typedef {{ kind: "off" } | { kind: "until", untilMs: number } | { kind: "forever" }} Mute
 * @typedef {{ kind: "default" } | { kind: "named", name: string } | { kind: "none" }} Sound
 * @typedef {{ title?: string, body?: string, url?: string, priority?: string, group?: string }} Mapping
 * @typedef {{
 *   enabled: boolean, minPriority: Priority, types?: string[], mute?: Mute, sound: Sound,
 *   mapping?: Mapping, silence?: string[], connectionAlertMins: number | null,
 *   silenceAlertHours: number | null
 * }} FeedRule
 * @typedef {{ days: number[], startMin: number, endMin: number, criticalPasses: boolean }} QuietHours
 * @typedef {{ feedBurst: number, feedWindowSecs: number, globalPerMinute: number }} FloodLimits
 * @typedef {{
 *   feeds?: Record<string, FeedRule>, quiet?: QuietHours, flood: FloodLimits, silence?: string[]
 * }} NotifySettings
 */

/**
 * An event as a notification (`preview_notification`): plain text, links http(s) only.
 * @typedef {{ label: string, url: string }} ViewAction
 * @typedef {{
 *   title: string, body: string, priority: Priority, click: string | null,
 *   actions: ViewAction[], group: string | null, tags: string[]
 * }} NotificationMessage
 */

/**
 * Whether notifications work (`notification_health`, `herald://notifications`).
 * @typedef {{ problem: string | null }} NotifyHealth
 */

/**
 * Settings for the whole app (`general_settings`, `set_general_settings`). Retention limits are
 * per feed (null: no limit of that kind); `theme` "system" follows the desktop's light/dark;
 * `keychain` keeps header values in the system keychain when one answers (false: the settings
 * file), and saving it moves them.
 * @typedef {{ maxEvents: number | null, maxAgeDays: number | null }} Retention
 * @typedef {"system" | "light" | "dark"} Theme
 * @typedef {{ retention: Retention, theme: Theme, keychain: boolean }} GeneralSettings
 */

/**
 * What the about box shows (`app_info`): the version and where Herald keeps its files.
 * @typedef {{
 *   version: string, configDir: string, dataDir: string, logDir: string,
 *   settingsFile: string, databaseFile: string
 * }} AppInfo
 */

/**
 * `export_feeds` writes a file (user-only) and says where; `import_feeds` reads an export's
 * text and says what it did (`missingSecrets`: new feeds whose header values must be filled in).
 * @typedef {{ path: string, count: number }} ExportResult
 * @typedef {{ added: string[], updated: string[], missingSecrets: string[] }} ImportSummary
 */

/**
 * What the shell asks the window to show (`herald://activate`, or `window.heraldIntent` for a
 * window built for it): an event, a feed, or the editor on a new feed prefilled from a
 * subscribe link (window.rs `Intent`).
 * @typedef {{ url: string, name: string | null }} SubscribePrefill
 * @typedef {{ feedId: string | null, seq: number | null, subscribe?: SubscribePrefill }} ActivateTarget
 */

/**
 * How a command rejects. `field` is set only when `code` is "invalid".
 * @typedef {{ code: string, message: string, field?: string }} IpcError
 */

export {};
