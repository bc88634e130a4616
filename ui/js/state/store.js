// @ts-check
// The store: one state object made of slices (app, feeds, timeline, search, editor, settings),
// each owned by its module in this folder, which holds the slice's pure update functions.
// Actions replace a slice (never mutate it), so a view skips work when the slice it reads is
// the same object as last time. Subscribers hear once per scheduled flush, not once per
// change: a burst of IPC messages costs one render. No DOM and no IPC here.

import * as app from "./app.js";
import * as editor from "./editor.js";
import * as feeds from "./feeds.js";
import * as search from "./search.js";
import * as settings from "./settings.js";
import * as timeline from "./timeline.js";

/**
 * @typedef {object} State
 * @property {app.AppSlice} app which screen, notices, the clock
 * @property {feeds.FeedsSlice} feeds the feeds, their statuses, unread counts and mutes
 * @property {timeline.TimelineSlice} timeline the rows the timeline can show, by position
 * @property {search.SearchSlice} search the search box and its terms
 * @property {editor.EditorSlice} editor the feed editor's form
 * @property {settings.SettingsSlice} settings the global settings screen
 */

/**
 * @callback Subscriber
 * @param {State} state
 * @returns {void}
 */

/**
 * @typedef {object} StoreOptions
 * @property {number} [now] initial clock, ms since epoch
 * @property {(flush: () => void) => void} [schedule] how a notification is deferred; the
 *   browser passes an animation-frame scheduler, tests a manual one
 */

/**
 * @param {StoreOptions} [options]
 */
export function createStore(options = {}) {
  const schedule = options.schedule ?? queueMicrotask;
  /** @type {State} */
  let state = {
    app: app.initial(options.now ?? 0),
    feeds: feeds.initial(),
    timeline: timeline.initial(),
    search: search.initial(),
    editor: editor.initial(),
    settings: settings.initial(),
  };
  /** @type {Set<Subscriber>} */
  const subscribers = new Set();
  let pending = false;

  /** Calls every subscriber once with the current state, if anything changed since last time. */
  function flush() {
    if (!pending) return;
    pending = false;
    for (const fn of subscribers) {
      // One broken view must not stop the others from rendering.
      try {
        fn(state);
      } catch (err) {
        console.error("Herald: a view failed to render", err);
      }
    }
  }

  return {
    /** @returns {State} */
    get: () => state,

    /**
     * @param {Subscriber} fn
     * @returns {() => void} unsubscribe
     */
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },

    /** Delivers a pending notification now (tests). */
    flush,

    /**
     * Replaces one slice with what `fn` makes of it. Returning the same object changes nothing
     * and schedules no render.
     * @template {keyof State} K
     * @param {K} key
     * @param {(slice: State[K]) => State[K]} fn
     */
    change(key, fn) {
      const next = fn(state[key]);
      if (next === state[key]) return;
      state = { ...state, [key]: next };
      if (!pending) {
        pending = true;
        schedule(flush);
      }
    },
  };
}

/** @typedef {ReturnType<typeof createStore>} Store */
