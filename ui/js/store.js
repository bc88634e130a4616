// @ts-check
// Herald's UI state in one place. IPC handlers call the actions below; views subscribe and
// re-render. Every action replaces the parts of the state it changes (never mutates them),
// so a view can skip work when `state.timeline` or `state.feeds` is the same object as last
// time. Subscribers are told once per scheduled flush, not once per action: a burst of IPC
// events costs one render. No DOM and no IPC here, so node's test runner covers it.

import { formErrorsFrom } from "./errors.js";
import { isCountingDown } from "./status.js";

/** @typedef {import("./types.js").FeedView} FeedView */
/** @typedef {import("./types.js").FeedStatus} FeedStatus */
/** @typedef {import("./types.js").EventRecord} EventRecord */
/** @typedef {import("./types.js").Notice} Notice */
/** @typedef {import("./types.js").NoticeLevel} NoticeLevel */
/** @typedef {import("./types.js").IpcError} IpcError */
/** @typedef {import("./errors.js").FormErrors} FormErrors */

/** How many events the timeline keeps from live batches; older ones drop off the end (they
 * stay in the store, a page away). Pages the user asks for raise the cap by their size. */
export const TIMELINE_CAP = 500;
/** How many notices stay on screen at most; the oldest go first. */
export const NOTICE_CAP = 20;

/** @typedef {"timeline" | "settings"} View */
/** Whether older events can be loaded: "more" may exist, "loading" now, "end" none left. */
/** @typedef {"more" | "loading" | "end"} Older */
/** @typedef {{ id: number, level: NoticeLevel, message: string }} NoticeItem */
/** @typedef {{ saving: boolean, errors: FormErrors }} FormState */

/**
 * @typedef {object} State
 * @property {string[]} feedIds feed ids in the backend's order
 * @property {ReadonlyMap<string, FeedView>} feeds feeds by id
 * @property {ReadonlyMap<string, FeedStatus>} statuses latest status by feed id
 * @property {boolean} feedsLoaded false until the first feed list arrived, so empty states do not flash
 * @property {EventRecord[]} timeline newest first, at most `timelineCap` rows, one row per `seq`
 * @property {number} timelineCap how many rows the timeline keeps (the cap plus pages loaded)
 * @property {Older} older whether an older page can be loaded
 * @property {NoticeItem[]} notices oldest first
 * @property {View} view which view is shown
 * @property {FormState} form the add-feed form's saving flag and error lines
 * @property {number} now the clock for countdowns, advanced by `tick`
 * @property {number | null} selected the event a clicked notification asked to show
 */

/**
 * @typedef {object} StoreOptions
 * @property {number} [cap] timeline length
 * @property {number} [now] initial clock, ms since epoch
 * @property {(flush: () => void) => void} [schedule] how a notification is deferred; the
 *   browser passes an animation-frame scheduler, tests pass a manual one
 */

/**
 * @callback Subscriber
 * @param {State} state
 * @returns {void}
 */

/**
 * Merges events (given newest first) into a newest-first timeline: drops seqs already shown,
 * keeps the order by `seq` and cuts to `cap`. Returns `timeline` itself when nothing is new.
 * @param {EventRecord[]} timeline
 * @param {EventRecord[]} incoming newest first
 * @param {number} cap
 * @returns {EventRecord[]}
 */
export function mergeEvents(timeline, incoming, cap) {
  const seen = new Set(timeline.map((e) => e.seq));
  const fresh = incoming.filter((e) => {
    if (seen.has(e.seq)) return false;
    seen.add(e.seq);
    return true;
  });
  if (fresh.length === 0) return timeline;
  const merged = fresh.concat(timeline);
  // Live batches are newer than everything shown, so this is usually already in order. It is
  // not when `list_events` answers after a live batch landed: then sort once.
  if (!isNewestFirst(merged)) merged.sort((a, b) => b.seq - a.seq);
  return merged.length > cap ? merged.slice(0, cap) : merged;
}

/**
 * @param {EventRecord[]} events
 * @returns {boolean}
 */
function isNewestFirst(events) {
  for (let i = 1; i < events.length; i++) {
    if (events[i - 1].seq < events[i].seq) return false;
  }
  return true;
}

/**
 * @param {unknown} level
 * @returns {NoticeLevel}
 */
function noticeLevel(level) {
  return level === "warning" || level === "error" ? level : "info";
}

/**
 * Creates the store. Actions change the state at once; subscribers hear about it at the
 * next scheduled flush.
 * @param {StoreOptions} [options]
 */
export function createStore(options = {}) {
  const cap = options.cap ?? TIMELINE_CAP;
  const schedule = options.schedule ?? queueMicrotask;

  /** @type {State} */
  let state = {
    feedIds: [],
    feeds: new Map(),
    statuses: new Map(),
    feedsLoaded: false,
    timeline: [],
    timelineCap: cap,
    older: "more",
    notices: [],
    view: "timeline",
    form: { saving: false, errors: {} },
    now: options.now ?? 0,
    selected: null,
  };
  /** @type {Set<Subscriber>} */
  const subscribers = new Set();
  let pending = false;
  let nextNoticeId = 1;

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

  /** @param {Partial<State>} patch */
  function update(patch) {
    state = { ...state, ...patch };
    if (!pending) {
      pending = true;
      schedule(flush);
    }
  }

  /**
   * Feed list and status map after `feed` is added or replaced.
   * @param {FeedView} feed
   * @returns {Partial<State>}
   */
  function withFeed(feed) {
    // A command's reply can arrive after `herald://status` events of the same feed (they travel
    // on different paths): a status already known is newer than the one in the reply.
    const status = state.statuses.get(feed.id) ?? feed.status;
    const feeds = new Map(state.feeds).set(feed.id, { ...feed, status });
    const statuses = new Map(state.statuses).set(feed.id, status);
    const feedIds = state.feeds.has(feed.id) ? state.feedIds : [...state.feedIds, feed.id];
    return { feeds, statuses, feedIds };
  }

  return {
    /** @returns {State} */
    getState: () => state,

    /**
     * @param {Subscriber} fn
     * @returns {() => void} unsubscribe
     */
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },

    /** Delivers a pending notification now (tests; and nothing else needs it). */
    flush,

    /**
     * The whole feed list (from `list_feeds` or `herald://feeds`). Each feed's embedded status
     * is the newest we know, so it replaces the stored one.
     * @param {FeedView[]} list
     */
    setFeeds(list) {
      update({
        feedIds: list.map((f) => f.id),
        feeds: new Map(list.map((f) => [f.id, f])),
        statuses: new Map(list.map((f) => [f.id, f.status])),
        feedsLoaded: true,
      });
    },

    /**
     * A feed the user just added; `herald://feeds` will confirm it, this just avoids a gap.
     * @param {FeedView} feed
     */
    upsertFeed(feed) {
      update(withFeed(feed));
    },

    /**
     * Forgets a removed feed. Its events stay in the timeline: they are history.
     * @param {string} id
     */
    removeFeed(id) {
      if (!state.feeds.has(id)) return;
      const feeds = new Map(state.feeds);
      feeds.delete(id);
      const statuses = new Map(state.statuses);
      statuses.delete(id);
      update({ feeds, statuses, feedIds: state.feedIds.filter((f) => f !== id) });
    },

    /**
     * A status change. Kept even for a feed not listed yet: the list may arrive later.
     * @param {string} feedId
     * @param {FeedStatus} status
     */
    setStatus(feedId, status) {
      const statuses = new Map(state.statuses).set(feedId, status);
      const feed = state.feeds.get(feedId);
      // Keep the FeedView's own copy in step so nothing reads a stale status from it.
      const feeds = feed ? new Map(state.feeds).set(feedId, { ...feed, status }) : state.feeds;
      update({ statuses, feeds });
    },

    /**
     * The newest page from `list_events`, newest first; a page shorter than `pageSize` means
     * the store holds nothing older.
     * @param {EventRecord[]} newestFirst
     * @param {number} pageSize
     */
    loadEvents(newestFirst, pageSize) {
      const timeline = mergeEvents(state.timeline, newestFirst, state.timelineCap);
      const older = newestFirst.length < pageSize ? "end" : "more";
      if (timeline !== state.timeline || older !== state.older) update({ timeline, older });
    },

    /** An older page was asked for. */
    olderLoading() {
      update({ older: "loading" });
    },

    /** Asking for an older page failed: the user may try again. */
    olderFailed() {
      update({ older: "more" });
    },

    /**
     * An older page from `list_events`, newest first: it goes below the rows shown, and the
     * timeline keeps that many more rows from now on.
     * @param {EventRecord[]} newestFirst
     * @param {number} pageSize
     */
    addOlder(newestFirst, pageSize) {
      const timelineCap = state.timelineCap + newestFirst.length;
      const timeline = mergeEvents(state.timeline, newestFirst, timelineCap);
      update({ timeline, timelineCap, older: newestFirst.length < pageSize ? "end" : "more" });
    },

    /**
     * One `herald://events` batch, oldest first: its last event goes on top.
     * @param {EventRecord[]} oldestFirst
     */
    addEvents(oldestFirst) {
      const timeline = mergeEvents(state.timeline, [...oldestFirst].reverse(), state.timelineCap);
      // Rows that fell off the end are in the store again: they can be paged back.
      const cut = state.timeline.length + oldestFirst.length > state.timelineCap;
      const older = cut && state.older === "end" ? "more" : state.older;
      if (timeline !== state.timeline) update({ timeline, older });
    },

    /**
     * Marks events a silence rule kept from being notified.
     * @param {number[]} seqs
     */
    markSilenced(seqs) {
      const silenced = new Set(seqs);
      if (!state.timeline.some((ev) => silenced.has(ev.seq) && !ev.silenced)) return;
      const timeline = state.timeline.map((ev) => (silenced.has(ev.seq) ? { ...ev, silenced: true } : ev));
      update({ timeline });
    },

    /**
     * A clicked notification asks to show an event: the timeline, with that event selected.
     * @param {number | null} seq
     */
    select(seq) {
      update({ view: "timeline", selected: seq });
    },

    /**
     * Shows a notice unless the same one is already on screen (startup notices may come both
     * from `notices` and as `herald://notice`).
     * @param {Notice} notice
     * @returns {number | null} the notice's id, or null when it was a duplicate
     */
    addNotice(notice) {
      const level = noticeLevel(notice.level);
      const message = String(notice.message ?? "");
      if (state.notices.some((n) => n.level === level && n.message === message)) return null;
      const item = { id: nextNoticeId++, level, message };
      update({ notices: [...state.notices, item].slice(-NOTICE_CAP) });
      return item.id;
    },

    /** @param {number} id */
    dismissNotice(id) {
      const notices = state.notices.filter((n) => n.id !== id);
      if (notices.length !== state.notices.length) update({ notices });
    },

    /** @param {View} view */
    setView(view) {
      if (view !== state.view) update({ view });
    },

    /** The add-feed form was submitted: old errors go, the button disables. */
    saveStarted() {
      update({ form: { saving: true, errors: {} } });
    },

    /**
     * `add_feed` rejected: put the message under the field it names, or on the general line.
     * @param {IpcError} err
     */
    saveFailed(err) {
      update({ form: { saving: false, errors: formErrorsFrom(err) } });
    },

    /**
     * `add_feed` resolved: the feed shows in the list at once.
     * @param {FeedView} feed
     */
    saveSucceeded(feed) {
      update({ ...withFeed(feed), form: { saving: false, errors: {} } });
    },

    /**
     * The user edited a field: its error line is out of date.
     * @param {keyof FormErrors} field
     */
    clearFieldError(field) {
      if (!state.form.errors[field]) return;
      const errors = { ...state.form.errors };
      delete errors[field];
      update({ form: { ...state.form, errors } });
    },

    /**
     * Advances the clock. Re-renders only while some countdown is on screen.
     * @param {number} now ms since epoch
     */
    tick(now) {
      const counting = [...state.statuses.values()].some(isCountingDown);
      if (counting) update({ now });
      else state = { ...state, now };
    },
  };
}

/** @typedef {ReturnType<typeof createStore>} Store */
