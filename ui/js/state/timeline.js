// @ts-check
// The timeline slice: every row the timeline can show, by position, without holding them all.
// Position 0 is the newest. The store's rows are counted once (`count`, all with seq below
// `anchor`) and read in pages by offset from that fixed seq, so a page means the same rows
// however many events arrive meanwhile. Events that arrive live (seq at or above `anchor`)
// sit on top in `live`. Nothing is ever re-sorted here: the store orders by seq.

/** @typedef {import("../types.js").EventRecord} EventRecord */

/** Rows per page read from the store. */
export const PAGE = 100;
/** Pages kept in memory; the ones farthest from what is on screen go first. */
export const MAX_PAGES = 24;
/** Live rows kept on top before the timeline re-reads from the store (a flood). */
export const LIVE_CAP = 2000;

/**
 * What the timeline shows: one feed or all, one event type or all, unread only, a search.
 * @typedef {{ feed: string | null, type: string | null, unread: boolean, text: string }} Filter
 */

/**
 * @typedef {object} TimelineSlice
 * @property {Filter} filter
 * @property {number} generation bumps on every reload; answers for an older one are dropped
 * @property {"loading" | "ready" | "failed"} status
 * @property {number} anchor stored rows are those with seq below this
 * @property {number} count how many stored rows match the filter
 * @property {EventRecord[]} live newer rows that arrived since, newest first
 * @property {ReadonlyMap<number, EventRecord[]>} pages page number → its rows (offsets page*PAGE…)
 * @property {number | null} selected the seq of the open event (its details are shown)
 * @property {number} fresh rows that arrived on top while the user was scrolled away (or, during
 *   a search, events that arrived and may match): the "N new" pill
 * @property {boolean} away the user has scrolled away from the top
 * @property {string[]} types event types seen, for the type filter
 */

/** @type {Filter} */
export const NO_FILTER = Object.freeze({ feed: null, type: null, unread: false, text: "" });

/** @returns {TimelineSlice} */
export function initial() {
  return {
    filter: NO_FILTER,
    generation: 0,
    status: "loading",
    anchor: 0,
    count: 0,
    live: [],
    pages: new Map(),
    selected: null,
    fresh: 0,
    away: false,
    types: [],
  };
}

/**
 * Starts over with `filter`: the rows are read again from the store.
 * @param {TimelineSlice} t
 * @param {Filter} filter
 * @returns {TimelineSlice}
 */
export function reload(t, filter) {
  return { ...t, filter, generation: t.generation + 1, status: "loading", anchor: 0, count: 0, live: [], pages: new Map(), fresh: 0 };
}

/**
 * The first page and the count arrived. Live rows that came while loading and are already in
 * the store's part (below the anchor) are dropped, so no row shows twice.
 * @param {TimelineSlice} t
 * @param {number} generation
 * @param {EventRecord[]} firstPage newest first
 * @param {number} count stored rows below the anchor, the first page's included
 * @returns {TimelineSlice}
 */
export function loaded(t, generation, firstPage, count) {
  if (generation !== t.generation) return t;
  const anchor = firstPage.length > 0 ? firstPage[0].seq + 1 : 0;
  return {
    ...t,
    status: "ready",
    anchor,
    count: Math.max(count, firstPage.length),
    live: t.live.filter((ev) => ev.seq >= anchor),
    pages: new Map([[0, firstPage]]),
    types: withTypes(t.types, firstPage),
  };
}

/**
 * Reading the first page failed.
 * @param {TimelineSlice} t
 * @param {number} generation
 * @returns {TimelineSlice}
 */
export function failed(t, generation) {
  return generation === t.generation ? { ...t, status: "failed" } : t;
}

/**
 * A page arrived. Far pages are forgotten beyond `MAX_PAGES` (they are a request away).
 * @param {TimelineSlice} t
 * @param {number} generation
 * @param {number} page
 * @param {EventRecord[]} rows newest first
 * @returns {TimelineSlice}
 */
export function pageLoaded(t, generation, page, rows) {
  if (generation !== t.generation) return t;
  const pages = new Map(t.pages).set(page, rows);
  if (pages.size > MAX_PAGES) {
    const far = [...pages.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
    for (const p of far.slice(0, pages.size - MAX_PAGES)) pages.delete(p);
  }
  return { ...t, pages, types: withTypes(t.types, rows) };
}

/**
 * Whether a live event belongs in the timeline under `filter`. A search cannot be decided
 * here (the store's full-text rules decide), so during one nothing is added on top.
 * @param {Filter} filter
 * @param {EventRecord} ev
 * @returns {boolean}
 */
export function matches(filter, ev) {
  if (filter.text.trim() !== "") return false;
  if (filter.feed !== null && ev.feedId !== filter.feed) return false;
  if (filter.type !== null && (ev.type || "message") !== filter.type) return false;
  if (filter.unread && ev.read) return false;
  return true;
}

/**
 * A live batch (oldest first). Matching rows go on top; while the user is scrolled away (or
 * searching) the pill counts them.
 * @param {TimelineSlice} t
 * @param {EventRecord[]} oldestFirst
 * @returns {TimelineSlice}
 */
export function addLive(t, oldestFirst) {
  const newest = t.live.length > 0 ? t.live[0].seq : t.anchor - 1;
  const fresh = oldestFirst.filter((ev) => ev.seq > newest && matches(t.filter, ev));
  const types = withTypes(t.types, oldestFirst);
  if (fresh.length === 0) {
    // During a search, tell the user that new events came that may match (the rest of the
    // filter does; the words only the store can tell).
    const rest = { ...t.filter, text: "" };
    const maybe = t.filter.text.trim() === "" ? 0 : oldestFirst.filter((ev) => ev.seq > newest && matches(rest, ev)).length;
    if (maybe === 0 && types === t.types) return t;
    return { ...t, types, fresh: t.fresh + maybe };
  }
  return {
    ...t,
    live: fresh.reverse().concat(t.live),
    fresh: t.away ? t.fresh + fresh.length : 0,
    types,
  };
}

/**
 * How many rows the timeline has.
 * @param {TimelineSlice} t
 * @returns {number}
 */
export function total(t) {
  return t.live.length + t.count;
}

/**
 * The row at a position, or undefined when its page is not loaded.
 * @param {TimelineSlice} t
 * @param {number} index 0 = newest
 * @returns {EventRecord | undefined}
 */
export function rowAt(t, index) {
  if (index < t.live.length) return t.live[index];
  const offset = index - t.live.length;
  return t.pages.get(Math.floor(offset / PAGE))?.[offset % PAGE];
}

/**
 * The pages rows `first` … `last - 1` need that are not loaded.
 * @param {TimelineSlice} t
 * @param {number} first
 * @param {number} last exclusive
 * @returns {number[]}
 */
export function missingPages(t, first, last) {
  const from = Math.max(first, t.live.length) - t.live.length;
  const to = Math.min(last, total(t)) - t.live.length;
  /** @type {number[]} */
  const missing = [];
  if (to <= from) return missing;
  for (let p = Math.floor(from / PAGE); p <= Math.floor((to - 1) / PAGE); p++) {
    if (!t.pages.has(p)) missing.push(p);
  }
  return missing;
}

/**
 * The position of a row that is loaded, or -1.
 * @param {TimelineSlice} t
 * @param {number} seq
 * @returns {number}
 */
export function indexOf(t, seq) {
  const live = t.live.findIndex((ev) => ev.seq === seq);
  if (live >= 0) return live;
  for (const [page, rows] of t.pages) {
    const i = rows.findIndex((ev) => ev.seq === seq);
    if (i >= 0) return t.live.length + page * PAGE + i;
  }
  return -1;
}

/**
 * Changes the loaded rows `pick` selects with `fn` (e.g. marked read). Rows that are not
 * loaded are read from the store as they are when they come.
 * @param {TimelineSlice} t
 * @param {(ev: EventRecord) => boolean} pick
 * @param {(ev: EventRecord) => EventRecord} fn
 * @returns {TimelineSlice}
 */
export function patch(t, pick, fn) {
  let changed = false;
  /** @param {EventRecord[]} rows */
  const apply = (rows) => {
    if (!rows.some(pick)) return rows;
    changed = true;
    return rows.map((ev) => (pick(ev) ? fn(ev) : ev));
  };
  const live = apply(t.live);
  const pages = new Map([...t.pages].map(([p, rows]) => [p, apply(rows)]));
  return changed ? { ...t, live, pages } : t;
}

/**
 * @param {TimelineSlice} t
 * @param {number | null} seq
 * @returns {TimelineSlice}
 */
export function select(t, seq) {
  return t.selected === seq ? t : { ...t, selected: seq };
}

/**
 * The user scrolled away from the top, or back to it (which clears the pill).
 * @param {TimelineSlice} t
 * @param {boolean} away
 * @returns {TimelineSlice}
 */
export function setAway(t, away) {
  if (t.away === away) return t;
  return { ...t, away, fresh: away || t.filter.text.trim() !== "" ? t.fresh : 0 };
}

/**
 * `types` with the types of `rows` added (sorted), or `types` itself when none is new.
 * @param {string[]} types
 * @param {EventRecord[]} rows
 * @returns {string[]}
 */
function withTypes(types, rows) {
  const known = new Set(types);
  let added = false;
  for (const ev of rows) {
    const type = ev.type || "message";
    if (!known.has(type)) {
      known.add(type);
      added = true;
    }
  }
  return added ? [...known].sort() : types;
}
