// A stand-in for ui/js/ipc.js for the action tests: every command records its call and
// answers from `replies` (a value, or a function of the arguments returning a value or a
// promise); every `on*` records the subscription and keeps the callback for `emit`.

/** What the commands answer unless a test says otherwise. */
export function defaultReplies() {
  return {
    listFeeds: [],
    notices: [],
    listEvents: [],
    countEvents: 0,
    unreadCounts: {},
    markRead: null,
    addFeed: null,
    updateFeed: null,
    removeFeed: null,
    reconnectFeed: null,
    setFeedPaused: null,
    addDemoFeed: null,
    testFeed: null,
    notificationSettings: { flood: { feedBurst: 5, feedWindowSecs: 60, globalPerMinute: 30 } },
    setFeedRule: null,
    setNotificationDefaults: null,
    muteFeed: { kind: "off" },
    previewNotification: null,
    notificationHealth: { problem: null },
    sendTestNotification: null,
    generalSettings: { retention: { maxEvents: 10000, maxAgeDays: null }, theme: "system" },
    setGeneralSettings: null,
    loginStart: false,
    setLoginStart: null,
    appInfo: { version: "0.0.0", configDir: "/c", dataDir: "/d", logDir: "/l", settingsFile: "/c/s", databaseFile: "/d/db" },
    openLogFolder: null,
    openLink: null,
    exportFeeds: { path: "/tmp/x.json", count: 0 },
    importFeeds: { added: [], updated: [], missingSecrets: [] },
  };
}

/** The names of the backend events ipc.js subscribes to. */
export const LISTENERS = ["onEvents", "onStatus", "onNotice", "onSilenced", "onActivate", "onFeeds", "onNotifications"];

/** A rejection, as ipc.js delivers it. */
export const fail = (code, message, field) => () => Promise.reject(field === undefined ? { code, message } : { code, message, field });

/**
 * @param {Record<string, unknown>} [overrides] command name → reply; `hasBackend` a boolean;
 *   an `on*` name → a function that replaces the subscription (e.g. one that rejects)
 */
export function fakeApi(overrides = {}) {
  const replies = { ...defaultReplies(), ...overrides };
  /** @type {{ name: string, args: unknown[] }[]} */
  const calls = [];
  const listeners = new Map();

  const api = {
    hasBackend: () => replies.hasBackend ?? true,
  };
  for (const name of Object.keys(defaultReplies())) {
    api[name] = (...args) => {
      calls.push({ name, args });
      const reply = replies[name];
      try {
        return Promise.resolve(typeof reply === "function" ? reply(...args) : reply);
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  for (const name of LISTENERS) {
    api[name] = (cb) => {
      calls.push({ name, args: [] });
      listeners.set(name, cb);
      const custom = replies[name];
      return typeof custom === "function" ? custom(cb) : Promise.resolve(() => {});
    };
  }

  return {
    api,
    replies,
    calls,
    /** Call names in order. */
    names: () => calls.map((c) => c.name),
    /** The argument lists of every call to `name`. */
    argsOf: (name) => calls.filter((c) => c.name === name).map((c) => c.args),
    /** Delivers a backend event to what subscribed with `on…`. */
    emit(name, payload) {
      const cb = listeners.get(name);
      if (!cb) throw new Error(`nobody listens with ${name}`);
      cb(payload);
    },
    clear: () => void calls.splice(0),
  };
}

/**
 * The store (renders never scheduled), the fake api, manual timers and the actions over them.
 * @param {Record<string, unknown>} [overrides] as for `fakeApi`
 */
export async function setupActions(overrides) {
  const [{ createActions }, { createStore }, { manualTimers }] = await Promise.all([
    import("../../../ui/js/actions/index.js"),
    import("../../../ui/js/state/store.js"),
    import("./fixtures.mjs"),
  ]);
  const store = createStore({ schedule: () => {} });
  const fake = fakeApi(overrides);
  const timers = manualTimers();
  const actions = createActions(store, fake.api, timers);
  return { store, fake, timers, actions, state: () => store.get() };
}
