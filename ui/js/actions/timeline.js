// @ts-check
// What the timeline can be asked to do: read its rows again for a filter or search, fetch the
// pages the screen needs, take live batches, open an event, mark events read.

import * as feeds from "../state/feeds.js";
import * as search from "../state/search.js";
import * as timeline from "../state/timeline.js";

/** @typedef {import("./context.js").Context} Context */
/** @typedef {import("../types.js").EventRecord} EventRecord */
/** @typedef {import("../types.js").EventQuery} EventQuery */
/** @typedef {import("../state/timeline.js").Filter} Filter */

/** Typing pauses this long before a search runs. */
export const SEARCH_DELAY_MS = 200;
/** Rows scrolled past are marked read in batches, this often. */
export const READ_FLUSH_MS = 400;

/**
 * The store query for a filter.
 * @param {Filter} filter
 * @returns {EventQuery}
 */
export function queryOf(filter) {
  /** @type {EventQuery} */
  const q = {};
  if (filter.feed !== null) q.feed = filter.feed;
  if (filter.type !== null) q.type = filter.type;
  if (filter.unread) q.unread = true;
  if (filter.text.trim() !== "") q.text = filter.text.trim();
  return q;
}

/**
 * @param {Context} ctx
 */
export function createTimelineActions(ctx) {
  const { store, api } = ctx;
  /** Pages requested and not yet answered, as "generation:page". */
  const inFlight = new Set();
  /** @type {unknown} */
  let searchTimer = null;
  /** @type {Set<number>} */
  const toMark = new Set();
  /** @type {unknown} */
  let markTimer = null;

  /** Reloads the unread counts from the store (exact after marks). */
  async function refreshUnread() {
    try {
      const counts = await api.unreadCounts();
      store.change("feeds", (f) => feeds.setUnread(f, counts));
    } catch (raw) {
      ctx.report("Could not count unread events", raw);
    }
  }

  /**
   * Reads the first page and the count for `filter`.
   * @param {Filter} filter
   */
  async function reload(filter) {
    store.change("timeline", (t) => timeline.reload(t, filter));
    const { generation } = store.get().timeline;
    const query = queryOf(filter);
    try {
      const first = await api.listEvents({ ...query, limit: timeline.PAGE });
      // A short page is everything; else the store counts what lies below the first row.
      const count =
        first.length < timeline.PAGE ? first.length : await api.countEvents({ ...query, before: first[0].seq + 1 });
      store.change("timeline", (t) => timeline.loaded(t, generation, first, count));
    } catch (raw) {
      store.change("timeline", (t) => timeline.failed(t, generation));
      ctx.report("Could not load events", raw);
    }
  }

  /** Marks the queued rows read, then recounts. */
  async function flushReads() {
    markTimer = null;
    const seqs = [...toMark];
    toMark.clear();
    if (seqs.length === 0) return;
    try {
      for (const seq of seqs) await api.markRead({ seq });
    } catch (raw) {
      ctx.report("Could not mark events read", raw);
    }
    await refreshUnread();
  }

  /**
   * @param {EventRecord[]} rows
   */
  function queueRead(rows) {
    const unread = rows.filter((ev) => !ev.read);
    if (unread.length === 0) return;
    const seqs = new Set(unread.map((ev) => ev.seq));
    for (const seq of seqs) toMark.add(seq);
    store.change("timeline", (t) => timeline.patch(t, (ev) => seqs.has(ev.seq), (ev) => ({ ...ev, read: true })));
    if (markTimer === null) markTimer = ctx.later(() => void flushReads(), READ_FLUSH_MS);
  }

  return {
    refreshUnread,

    /**
     * Reads the rows again with the current filter (e.g. after a failure).
     * @returns {Promise<void>}
     */
    reload: () => reload(store.get().timeline.filter),

    /**
     * Changes the filter (feed, type, unread; the search text is the search box's) and reads
     * the rows for it.
     * @param {Partial<Filter>} change
     * @returns {Promise<void>}
     */
    setFilter(change) {
      return reload({ ...store.get().timeline.filter, ...change });
    },

    /**
     * The search box changed: the search runs once typing pauses.
     * @param {string} text
     */
    search(text) {
      store.change("search", (s) => search.setText(s, text));
      if (searchTimer !== null) ctx.cancel(searchTimer);
      searchTimer = ctx.later(() => {
        searchTimer = null;
        void reload({ ...store.get().timeline.filter, text: store.get().search.text });
      }, SEARCH_DELAY_MS);
    },

    /**
     * Makes sure the rows `first` … `last - 1` are loaded (pages the screen is about to show).
     * @param {number} first
     * @param {number} last exclusive
     */
    ensureRows(first, last) {
      const t = store.get().timeline;
      if (t.status !== "ready") return;
      const query = { ...queryOf(t.filter), before: t.anchor };
      for (const page of timeline.missingPages(t, first, last)) {
        const key = `${t.generation}:${page}`;
        if (inFlight.has(key)) continue;
        inFlight.add(key);
        api
          .listEvents({ ...query, offset: page * timeline.PAGE, limit: timeline.PAGE })
          .then((rows) => store.change("timeline", (s) => timeline.pageLoaded(s, t.generation, page, rows)))
          .catch((raw) => ctx.report("Could not load events", raw))
          .finally(() => inFlight.delete(key));
      }
    },

    /**
     * A live batch, oldest first.
     * @param {EventRecord[]} batch
     */
    addLive(batch) {
      store.change("feeds", (f) => feeds.countNew(f, batch));
      store.change("timeline", (t) => timeline.addLive(t, batch));
      const t = store.get().timeline;
      // A flood: rather than hold it all, read from the store again (nothing is lost there).
      if (t.live.length > timeline.LIVE_CAP && !t.away) void reload(t.filter);
    },

    /**
     * Events a silence rule kept from being notified.
     * @param {number[]} seqs
     */
    markSilenced(seqs) {
      const set = new Set(seqs);
      store.change("timeline", (t) => timeline.patch(t, (ev) => set.has(ev.seq) && !ev.silenced, (ev) => ({ ...ev, silenced: true })));
    },

    /**
     * Opens an event (its details show); opening marks it read. null closes it.
     * @param {number | null} seq
     */
    select(seq) {
      store.change("timeline", (t) => timeline.select(t, seq));
      if (seq === null) return;
      const t = store.get().timeline;
      const row = timeline.rowAt(t, timeline.indexOf(t, seq));
      if (row) queueRead([row]);
    },

    /**
     * Rows the user scrolled past (above the top of the screen) count as read.
     * @param {EventRecord[]} rows
     */
    passed(rows) {
      queueRead(rows);
    },

    /**
     * Marks every event of the feed shown read (or of every feed).
     * @returns {Promise<void>}
     */
    async markAllRead() {
      const feed = store.get().timeline.filter.feed;
      try {
        await api.markRead(feed === null ? {} : { feedId: feed });
        store.change("timeline", (t) =>
          timeline.patch(t, (ev) => !ev.read && (feed === null || ev.feedId === feed), (ev) => ({ ...ev, read: true })),
        );
      } catch (raw) {
        ctx.report("Could not mark events read", raw);
      }
      await refreshUnread();
    },

    /**
     * The user scrolled away from the top or back to it.
     * @param {boolean} away
     */
    setAway(away) {
      store.change("timeline", (t) => timeline.setAway(t, away));
    },
  };
}

/** @typedef {ReturnType<typeof createTimelineActions>} TimelineActions */
