// @ts-check
// What the user and the backend can make happen: each action calls the backend through the
// injected `api` (ipc.js in the app, a fake in tests) and records the outcome in the store.
// Views call these; they never call ipc.js themselves.

import { toIpcError } from "./errors.js";

/** @typedef {import("./types.js").FeedDraft} FeedDraft */
/** @typedef {import("./types.js").FeedStatus} FeedStatus */
/** @typedef {import("./types.js").FeedView} FeedView */
/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").View} View */
/** @typedef {import("./types.js").IpcError} IpcError */
/** @typedef {typeof import("./ipc.js")} Api */

/**
 * The add-feed form as typed. `idleTimeout` is the number input's value, which is "" both
 * when the input is empty and when it holds text that is no number: `idleTimeoutUnreadable`
 * (the input's `validity.badInput`) tells the two apart.
 * @typedef {object} FeedForm
 * @property {string} name
 * @property {string} url
 * @property {string} headers
 * @property {string} caCert
 * @property {string} idleTimeout
 * @property {boolean} [idleTimeoutUnreadable]
 */

/**
 * Turns the form into the draft `add_feed` takes: the CA path trimmed, the idle timeout as a
 * whole number of seconds or null (empty: the default). Only what cannot be sent at all is
 * caught here, as an error for the idle timeout field; the backend checks the rest (the range,
 * whether the certificate file is readable) and names the field itself.
 * @param {FeedForm} form
 * @returns {{ draft: FeedDraft } | { error: IpcError }}
 */
export function toFeedDraft(form) {
  const text = form.idleTimeout.trim();
  const secs = text === "" ? null : Number(text);
  // The backend reads an unsigned integer: anything else would fail before its checks run.
  if (form.idleTimeoutUnreadable || (secs !== null && !(Number.isSafeInteger(secs) && secs >= 0))) {
    return {
      error: {
        code: "invalid",
        field: "idleTimeout",
        message: "Enter a whole number of seconds (5 to 86400), or leave it empty for the default of 90.",
      },
    };
  }
  return {
    draft: { name: form.name, url: form.url, headers: form.headers, caCert: form.caCert.trim(), idleTimeoutSecs: secs },
  };
}

/**
 * @param {Store} store
 * @param {Api} api
 * @param {{ recentLimit: number }} options how many stored events a page holds (the first page
 *   loads at startup, older ones on demand)
 */
export function createActions(store, api, options) {
  /**
   * Tells the user that something they asked for failed.
   * @param {string} what
   * @param {unknown} raw
   */
  function report(what, raw) {
    store.addNotice({ level: "error", message: `${what}: ${toIpcError(raw).message}` });
  }

  return {
    /** @param {View} view */
    setView: (view) => store.setView(view),

    /** @param {number} id */
    dismissNotice: (id) => store.dismissNotice(id),

    /**
     * Saves the settings form. Resolves true when the feed was added (the view then clears
     * the form); on failure the store holds the error lines and the form keeps its text.
     * @param {FeedForm} form
     * @returns {Promise<boolean>}
     */
    async addFeed(form) {
      if (store.getState().form.saving) return false;
      const built = toFeedDraft(form);
      if ("error" in built) {
        store.saveFailed(built.error);
        return false;
      }
      store.saveStarted();
      try {
        store.saveSucceeded(await api.addFeed(built.draft));
        return true;
      } catch (raw) {
        store.saveFailed(toIpcError(raw));
        return false;
      }
    },

    /** @returns {Promise<void>} */
    async addDemoFeed() {
      try {
        store.upsertFeed(await api.addDemoFeed());
      } catch (raw) {
        report("Could not add the demo feed", raw);
      }
    },

    /**
     * Loads the page of stored events older than the oldest one shown.
     * @returns {Promise<void>}
     */
    async loadOlder() {
      const { timeline, older } = store.getState();
      if (older !== "more" || timeline.length === 0) return;
      store.olderLoading();
      try {
        const before = timeline[timeline.length - 1].seq;
        store.addOlder(await api.listEvents({ before, limit: options.recentLimit }), options.recentLimit);
      } catch (raw) {
        store.olderFailed();
        report("Could not load older events", raw);
      }
    },

    /**
     * @param {string} id
     * @returns {Promise<void>}
     */
    async removeFeed(id) {
      try {
        await api.removeFeed(id);
        store.removeFeed(id);
      } catch (raw) {
        report("Could not remove the feed", raw);
      }
    },

    /**
     * Drops the feed's connection or wait and connects now. The new status arrives as
     * `herald://status`.
     * @param {string} id
     * @returns {Promise<void>}
     */
    async reconnectFeed(id) {
      try {
        await api.reconnectFeed(id);
      } catch (raw) {
        report("Could not reconnect the feed", raw);
      }
    },

    /**
     * Pauses a feed, or resumes it (which also restarts a feed the server stopped). The new
     * status arrives as `herald://status`.
     * @param {string} id
     * @param {boolean} paused
     * @returns {Promise<void>}
     */
    async setFeedPaused(id, paused) {
      try {
        await api.setFeedPaused(id, paused);
      } catch (raw) {
        report(paused ? "Could not pause the feed" : "Could not resume the feed", raw);
      }
    },

    /**
     * Startup: listen first, then load, so nothing that happens in between is lost. Events
     * seen twice are dropped by the store (by `seq`); a feed list or status that arrived by
     * event while loading is newer than the loaded one and wins.
     * @returns {Promise<void>}
     */
    async start() {
      if (!api.hasBackend()) {
        report("Cannot start", { message: "Herald's backend is not reachable: open this window from the Herald app." });
        store.setFeeds([]);
        return;
      }
      let loading = true;
      let feedsArrived = false;
      /** @type {Map<string, FeedStatus>} */
      const earlyStatuses = new Map();

      const listening = await Promise.allSettled([
        api.onEvents((batch) => store.addEvents(batch)),
        api.onStatus(({ feedId, status }) => {
          if (loading) earlyStatuses.set(feedId, status);
          store.setStatus(feedId, status);
        }),
        api.onNotice((notice) => store.addNotice(notice)),
        api.onSilenced((seqs) => store.markSilenced(seqs)),
        api.onActivate(({ seq }) => store.select(seq)),
        api.onFeeds((feeds) => {
          feedsArrived = true;
          store.setFeeds(feeds);
        }),
      ]);
      for (const r of listening) {
        if (r.status === "rejected") report("Live updates are unavailable", r.reason);
      }

      const [feeds, events, notices] = await Promise.allSettled([
        api.listFeeds(),
        api.listEvents({ limit: options.recentLimit }),
        api.notices(),
      ]);
      loading = false;

      if (feeds.status === "fulfilled") {
        if (!feedsArrived) {
          store.setFeeds(feeds.value);
          for (const [feedId, status] of earlyStatuses) store.setStatus(feedId, status);
        }
      } else {
        // Not "no feeds": the list is unknown. Saying "No feeds yet" and offering the demo
        // feed would be wrong, so the list stays unloaded and the notice says why.
        report("Could not load your feeds", feeds.reason);
      }
      if (events.status === "fulfilled") store.loadEvents(events.value, options.recentLimit);
      else report("Could not load recent events", events.reason);
      if (notices.status === "fulfilled") notices.value.forEach((n) => store.addNotice(n));
      else report("Could not load notices", notices.reason);
    },
  };
}

/** @typedef {ReturnType<typeof createActions>} Actions */
