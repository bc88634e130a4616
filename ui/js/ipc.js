// @ts-check
// The only module that talks to the Rust side. Every command and event of the contract has
// one typed wrapper here; the rest of the UI never sees `window.__TAURI__`, so the contract
// lives in one file and the other modules stay testable without Tauri.

import { toIpcError } from "./errors.js";

/** @typedef {import("./types.js").FeedView} FeedView */
/** @typedef {import("./types.js").FeedDraft} FeedDraft */
/** @typedef {import("./types.js").EventRecord} EventRecord */
/** @typedef {import("./types.js").EventQuery} EventQuery */
/** @typedef {import("./types.js").Notice} Notice */
/** @typedef {import("./types.js").StatusChange} StatusChange */

/** @typedef {import("./types.js").FeedTest} FeedTest */
/** @typedef {import("./types.js").FeedRule} FeedRule */
/** @typedef {import("./types.js").Mapping} Mapping */
/** @typedef {import("./types.js").Mute} Mute */
/** @typedef {import("./types.js").NotifySettings} NotifySettings */
/** @typedef {import("./types.js").NotificationMessage} NotificationMessage */
/** @typedef {import("./types.js").NotifyHealth} NotifyHealth */
/** @typedef {import("./types.js").GeneralSettings} GeneralSettings */
/** @typedef {import("./types.js").AppInfo} AppInfo */
/** @typedef {import("./types.js").ExportResult} ExportResult */
/** @typedef {import("./types.js").ImportSummary} ImportSummary */
/** @typedef {"hour" | "eightHours" | "untilTomorrow" | "forever" | "off"} MuteFor */

/** @typedef {() => void} Unlisten */

/**
 * The part of the global Tauri API (`withGlobalTauri`) that Herald uses.
 * @typedef {{
 *   core: { invoke: (cmd: string, args?: Record<string, unknown>) => Promise<unknown> },
 *   event: { listen: (name: string, cb: (event: { payload: unknown }) => void) => Promise<Unlisten> }
 * }} TauriGlobal
 */

/** Event names the backend emits. */
export const EVENTS = /** @type {const} */ ({
  events: "herald://events",
  status: "herald://status",
  notice: "herald://notice",
  feeds: "herald://feeds",
  silenced: "herald://silenced",
  activate: "herald://activate",
  notifications: "herald://notifications",
});

/**
 * The global API, or an error that says why it is missing (e.g. the page was opened in a
 * plain browser instead of the app).
 * @returns {TauriGlobal}
 */
function tauri() {
  const api = /** @type {{ __TAURI__?: TauriGlobal }} */ (/** @type {unknown} */ (window)).__TAURI__;
  if (!api) throw { code: "no-backend", message: "Herald's backend is not reachable: open this window from the Herald app." };
  return api;
}

/** True when the page runs inside the Tauri app. */
export function hasBackend() {
  return Boolean(/** @type {{ __TAURI__?: unknown }} */ (/** @type {unknown} */ (window)).__TAURI__);
}

/**
 * Calls a command; a rejection always arrives as an `IpcError`.
 * @template T
 * @param {string} cmd
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<T>}
 */
async function call(cmd, args) {
  try {
    return /** @type {T} */ (await tauri().core.invoke(cmd, args));
  } catch (raw) {
    throw toIpcError(raw);
  }
}

/** @returns {Promise<FeedView[]>} */
export const listFeeds = () => call("list_feeds");

/**
 * Rejects with `{code: "invalid", field, message}` when the draft is not acceptable; `field`
 * is one of errors.js's `FORM_FIELDS` ("name", "url", "headers", "caCert", "idleTimeout").
 * @param {FeedDraft} draft
 * @returns {Promise<FeedView>}
 */
export const addFeed = (draft) => call("add_feed", { draft });

/**
 * @param {string} id
 * @returns {Promise<null>}
 */
export const removeFeed = (id) => call("remove_feed", { id });

/**
 * Drops the feed's connection (or its wait before the next try) and connects now.
 * @param {string} id
 * @returns {Promise<null>}
 */
export const reconnectFeed = (id) => call("reconnect_feed", { id });

/**
 * Pauses a feed (it stays disconnected, also across restarts) or resumes it. Resuming also
 * restarts a feed the server stopped.
 * @param {string} id
 * @param {boolean} paused
 * @returns {Promise<null>}
 */
export const setFeedPaused = (id, paused) => call("set_feed_paused", { id, paused });

/** @returns {Promise<FeedView>} */
export const addDemoFeed = () => call("add_demo_feed");

/**
 * One page of stored events: the newest, or those older than `query.before` (a seq).
 * @param {EventQuery} query
 * @returns {Promise<EventRecord[]>} newest first
 */
export const listEvents = (query) => call("list_events", { query });

/**
 * How many stored events match `query` (its `before` included; `limit`/`offset` ignored).
 * @param {EventQuery} query
 * @returns {Promise<number>}
 */
export const countEvents = (query) => call("count_events", { query });

/**
 * Saves an edit of a feed: a header left blank keeps its saved value; history is kept.
 * @param {string} id
 * @param {FeedDraft} draft
 * @returns {Promise<FeedView>}
 */
export const updateFeed = (id, draft) => call("update_feed", { id, draft });

/**
 * Connects once with the draft (as an edit of feed `id` when given) and says what came.
 * Rejects like `add_feed` when the draft is not acceptable.
 * @param {FeedDraft} draft
 * @param {string | null} id
 * @returns {Promise<FeedTest>}
 */
export const testFeed = (draft, id) => call("test_feed", { draft, id });

/** @returns {Promise<Record<string, number>>} unread events per feed id */
export const unreadCounts = () => call("unread_counts");

/**
 * Marks events read: one (`seq`), a feed's (`feedId`), or every event (neither).
 * @param {{ seq?: number, feedId?: string }} which
 * @returns {Promise<null>}
 */
export const markRead = (which) => call("mark_read", { seq: which.seq ?? null, feedId: which.feedId ?? null });

/** @returns {Promise<NotifySettings>} */
export const notificationSettings = () => call("notification_settings");

/**
 * @param {string} id
 * @param {FeedRule} rule
 * @returns {Promise<null>}
 */
export const setFeedRule = (id, rule) => call("set_feed_rule", { id, rule });

/**
 * Saves quiet hours, flood limits and the silence rules for every feed.
 * @param {NotifySettings} rules
 * @returns {Promise<null>}
 */
export const setNotificationDefaults = (rules) => call("set_notification_defaults", { rules });

/**
 * @param {string} id
 * @param {MuteFor} howLong
 * @returns {Promise<Mute>} the mute as saved, with its end
 */
export const muteFeed = (id, howLong) => call("mute_feed", { id, howLong });

/**
 * The feed's newest stored event as a notification with `mapping` (null: no event yet).
 * @param {string} id
 * @param {Mapping} mapping
 * @returns {Promise<NotificationMessage | null>}
 */
export const previewNotification = (id, mapping) => call("preview_notification", { id, mapping });

/** @returns {Promise<NotifyHealth>} */
export const notificationHealth = () => call("notification_health");

/** @returns {Promise<null>} */
export const sendTestNotification = () => call("send_test_notification");

/** @returns {Promise<GeneralSettings>} */
export const generalSettings = () => call("general_settings");

/**
 * Whether Herald starts when the user logs in (an entry in the desktop's autostart folder).
 * @returns {Promise<boolean>}
 */
export const loginStart = () => call("login_start");

/**
 * Starts Herald at login (in the tray), or no longer.
 * @param {boolean} enabled
 * @returns {Promise<null>}
 */
export const setLoginStart = (enabled) => call("set_login_start", { enabled });

/**
 * @param {GeneralSettings} settings
 * @returns {Promise<null>}
 */
export const setGeneralSettings = (settings) => call("set_general_settings", { settings });

/** @returns {Promise<AppInfo>} */
export const appInfo = () => call("app_info");

/** @returns {Promise<null>} */
export const openLogFolder = () => call("open_log_folder");

/**
 * Opens an http(s) link in the system browser; anything else is refused.
 * @param {string} url
 * @returns {Promise<null>}
 */
export const openLink = (url) => call("open_link", { url });

/**
 * Writes the feeds to a user-only file in the Downloads folder.
 * @param {boolean} withSecrets include header values
 * @returns {Promise<ExportResult>}
 */
export const exportFeeds = (withSecrets) => call("export_feeds", { withSecrets });

/**
 * @param {string} json an export's text
 * @returns {Promise<ImportSummary>}
 */
export const importFeeds = (json) => call("import_feeds", { json });

/** @returns {Promise<Notice[]>} */
export const notices = () => call("notices");

/**
 * Subscribes to one backend event; the payload is handed over as is.
 * @template T
 * @param {string} name
 * @param {(payload: T) => void} cb
 * @returns {Promise<Unlisten>}
 */
async function on(name, cb) {
  try {
    return await tauri().event.listen(name, (event) => cb(/** @type {T} */ (event.payload)));
  } catch (raw) {
    throw toIpcError(raw);
  }
}

/**
 * A coalesced batch of new events, oldest first.
 * @param {(batch: EventRecord[]) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onEvents = (cb) => on(EVENTS.events, cb);

/**
 * @param {(change: StatusChange) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onStatus = (cb) => on(EVENTS.status, cb);

/**
 * @param {(notice: Notice) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onNotice = (cb) => on(EVENTS.notice, cb);

/**
 * Events (seqs) a silence rule kept from being notified.
 * @param {(seqs: number[]) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onSilenced = (cb) => on(EVENTS.silenced, cb);

/**
 * Show this event, feed or prefilled editor: a notification without a link was clicked, a tray
 * item or a subscribe link asked.
 * @param {(target: import("./types.js").ActivateTarget) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onActivate = (cb) => on(EVENTS.activate, cb);

/**
 * The whole feed list, after any change to it.
 * @param {(feeds: FeedView[]) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onFeeds = (cb) => on(EVENTS.feeds, cb);

/**
 * Whether notifications work, after any change.
 * @param {(health: NotifyHealth) => void} cb
 * @returns {Promise<Unlisten>}
 */
export const onNotifications = (cb) => on(EVENTS.notifications, cb);
