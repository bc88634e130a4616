// @ts-check
// Every action the views can call, grouped by job, and startup. Each group calls the backend
// through the injected `api` (ipc.js in the app, a fake in tests) and records the outcome in
// the store; views never call ipc.js themselves.

import * as app from "../state/app.js";
import * as feeds from "../state/feeds.js";
import * as search from "../state/search.js";
import * as settings from "../state/settings.js";
import * as timeline from "../state/timeline.js";
import { createContext } from "./context.js";
import { createEditorActions } from "./editor.js";
import { createFeedActions } from "./feeds.js";
import { createSettingsActions } from "./settings.js";
import { createTimelineActions } from "./timeline.js";
import { isCountingDown } from "../status.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {typeof import("../ipc.js")} Api */
/** @typedef {import("../types.js").FeedStatus} FeedStatus */
/** @typedef {import("./context.js").Context} Context */

/**
 * @param {Store} store
 * @param {Api} api
 * @param {{ later?: Context["later"], cancel?: Context["cancel"] }} [timers]
 */
export function createActions(store, api, timers) {
  const ctx = createContext(store, api, timers);
  const timelineActions = createTimelineActions(ctx);

  /**
   * Shows the timeline of one feed (or of all: null). The rows are read again when the feed
   * changes, or when `reload` says they may have (e.g. a feed was renamed).
   * @param {string | null} id
   * @param {boolean} [reload]
   */
  async function showFeed(id, reload = false) {
    store.change("app", (a) => app.show(a, "timeline"));
    const t = store.get().timeline;
    if (!reload && t.filter.feed === id && t.status !== "failed") return;
    await timelineActions.setFilter({ feed: id });
  }

  const actions = {
    timeline: timelineActions,
    feeds: createFeedActions(ctx),
    editor: createEditorActions(ctx, { showFeed }),
    settings: createSettingsActions(ctx),
    showFeed,

    /** @param {number} id */
    dismissNotice: (id) => store.change("app", (a) => app.dismissNotice(a, id)),

    /**
     * Advances the clock, but re-renders only while something on screen follows it (a
     * countdown, a mute's end): an idle window stays idle.
     * @param {number} now
     */
    tick(now) {
      const f = store.get().feeds;
      const follows = [...f.statuses.values()].some(isCountingDown) || [...f.mutes.values()].some((m) => m.kind === "until");
      if (follows) store.change("app", (a) => app.tick(a, now));
    },

    /**
     * A clicked notification asks for an event: the timeline of all feeds, that event open.
     * The tray asks for a feed alone (one that needs attention): its timeline. A subscribe
     * link asks for the editor on a new feed, prefilled; nothing is saved until the user does.
     * @param {import("../types.js").ActivateTarget} target
     */
    async activate(target) {
      if (target.subscribe) {
        const { url, name } = target.subscribe;
        actions.editor.openNew(name ? { url, name } : { url });
        return;
      }
      if (target.seq === null && target.feedId !== null) {
        await showFeed(target.feedId);
        return;
      }
      store.change("app", (a) => app.show(a, "timeline"));
      const t = store.get().timeline;
      const { feed, type, unread, text } = t.filter;
      const filtered = feed !== null || type !== null || unread || text.trim() !== "";
      // An event the filter or search hides: show every feed's newest events instead.
      if (target.seq !== null && timeline.indexOf(t, target.seq) < 0 && filtered) {
        store.change("search", (s) => search.setText(s, ""));
        await timelineActions.setFilter({ feed: null, type: null, unread: false, text: "" });
      }
      timelineActions.select(target.seq);
    },

    /**
     * Startup: listen first, then load, so nothing that happens in between is lost. Rows seen
     * twice are dropped by the timeline (by seq); a feed list or status that arrived by event
     * while loading is newer than the loaded one and wins.
     * @returns {Promise<void>}
     */
    async start() {
      if (!api.hasBackend()) {
        ctx.report("Cannot start", { message: "Herald's backend is not reachable: open this window from the Herald app." });
        store.change("feeds", (f) => feeds.setList(f, []));
        return;
      }
      let loading = true;
      let listArrived = false;
      /** @type {Map<string, FeedStatus>} */
      const early = new Map();
      const listening = await Promise.allSettled([
        api.onEvents((batch) => timelineActions.addLive(batch)),
        api.onStatus(({ feedId, status }) => {
          if (loading) early.set(feedId, status);
          store.change("feeds", (f) => feeds.setStatus(f, feedId, status));
        }),
        api.onNotice((notice) => store.change("app", (a) => app.addNotice(a, notice))),
        api.onSilenced((seqs) => timelineActions.markSilenced(seqs)),
        api.onActivate((target) => void actions.activate(target)),
        api.onFeeds((list) => {
          listArrived = true;
          store.change("feeds", (f) => feeds.setList(f, list));
        }),
        api.onNotifications((health) => store.change("settings", (s) => settings.setLoaded(s, { health }))),
      ]);
      for (const r of listening) {
        if (r.status === "rejected") ctx.report("Live updates are unavailable", r.reason);
      }

      const [list, notices, rules, general] = await Promise.allSettled([
        api.listFeeds(),
        api.notices(),
        api.notificationSettings(),
        api.generalSettings(),
        timelineActions.reload(),
        timelineActions.refreshUnread(),
      ]);
      loading = false;
      if (list.status === "fulfilled") {
        if (!listArrived) {
          store.change("feeds", (f) => {
            let next = feeds.setList(f, list.value);
            for (const [id, status] of early) next = feeds.setStatus(next, id, status);
            return next;
          });
        }
      } else {
        // Not "no feeds": the list is unknown, so no empty state offers the demo feed.
        ctx.report("Could not load your feeds", list.reason);
      }
      if (notices.status === "fulfilled") {
        for (const n of notices.value) store.change("app", (a) => app.addNotice(a, n));
      } else ctx.report("Could not load notices", notices.reason);
      if (rules.status === "fulfilled") {
        store.change("feeds", (f) => feeds.setMutes(f, rules.value.feeds));
        store.change("settings", (s) => settings.setLoaded(s, { notify: rules.value }));
      }
      if (general.status === "fulfilled") store.change("settings", (s) => settings.setLoaded(s, { general: general.value }));
    },
  };
  return actions;
}

/** @typedef {ReturnType<typeof createActions>} Actions */
