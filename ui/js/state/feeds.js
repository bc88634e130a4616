// @ts-check
// The feeds slice: the subscribed feeds in the backend's order, each one's latest status, its
// unread count and its mute. Statuses are kept apart from the list because they arrive on
// their own (`herald://status`) and may come before the list does.

/** @typedef {import("../types.js").FeedView} FeedView */
/** @typedef {import("../types.js").FeedStatus} FeedStatus */
/** @typedef {import("../types.js").EventRecord} EventRecord */
/** @typedef {import("../types.js").Mute} Mute */

/**
 * @typedef {object} FeedsSlice
 * @property {string[]} ids feed ids in the backend's order
 * @property {ReadonlyMap<string, FeedView>} byId
 * @property {ReadonlyMap<string, FeedStatus>} statuses latest status by feed id
 * @property {ReadonlyMap<string, number>} unread unread events by feed id (absent: none)
 * @property {ReadonlyMap<string, Mute>} mutes by feed id (absent: not muted)
 * @property {boolean} loaded false until the first list arrived, so empty states do not flash
 */

/** @returns {FeedsSlice} */
export function initial() {
  return { ids: [], byId: new Map(), statuses: new Map(), unread: new Map(), mutes: new Map(), loaded: false };
}

/**
 * The whole list (from `list_feeds` or `herald://feeds`): each feed's embedded status is the
 * newest known, so it replaces the stored one.
 * @param {FeedsSlice} feeds
 * @param {FeedView[]} list
 * @returns {FeedsSlice}
 */
export function setList(feeds, list) {
  return {
    ...feeds,
    ids: list.map((f) => f.id),
    byId: new Map(list.map((f) => [f.id, f])),
    statuses: new Map(list.map((f) => [f.id, f.status])),
    loaded: true,
  };
}

/**
 * A feed a command just returned (added or edited). A status that arrived by event since is
 * newer than the one in the reply (they travel on different paths), so it is kept.
 * @param {FeedsSlice} feeds
 * @param {FeedView} feed
 * @returns {FeedsSlice}
 */
export function upsert(feeds, feed) {
  const status = feeds.statuses.get(feed.id) ?? feed.status;
  return {
    ...feeds,
    ids: feeds.byId.has(feed.id) ? feeds.ids : [...feeds.ids, feed.id],
    byId: new Map(feeds.byId).set(feed.id, { ...feed, status }),
    statuses: new Map(feeds.statuses).set(feed.id, status),
  };
}

/**
 * Forgets a removed feed.
 * @param {FeedsSlice} feeds
 * @param {string} id
 * @returns {FeedsSlice}
 */
export function remove(feeds, id) {
  if (!feeds.byId.has(id)) return feeds;
  /** @template V @param {ReadonlyMap<string, V>} map */
  const without = (map) => {
    const copy = new Map(map);
    copy.delete(id);
    return copy;
  };
  return {
    ...feeds,
    ids: feeds.ids.filter((f) => f !== id),
    byId: without(feeds.byId),
    statuses: without(feeds.statuses),
    unread: without(feeds.unread),
    mutes: without(feeds.mutes),
  };
}

/**
 * A status change; kept even for a feed not listed yet (the list may arrive later).
 * @param {FeedsSlice} feeds
 * @param {string} id
 * @param {FeedStatus} status
 * @returns {FeedsSlice}
 */
export function setStatus(feeds, id, status) {
  const feed = feeds.byId.get(id);
  return {
    ...feeds,
    statuses: new Map(feeds.statuses).set(id, status),
    byId: feed ? new Map(feeds.byId).set(id, { ...feed, status }) : feeds.byId,
  };
}

/**
 * Unread counts as the store counted them (`unread_counts`).
 * @param {FeedsSlice} feeds
 * @param {Record<string, number>} counts
 * @returns {FeedsSlice}
 */
export function setUnread(feeds, counts) {
  return { ...feeds, unread: new Map(Object.entries(counts).filter(([, n]) => n > 0)) };
}

/**
 * New events are unread: each adds one to its feed's count.
 * @param {FeedsSlice} feeds
 * @param {EventRecord[]} batch
 * @returns {FeedsSlice}
 */
export function countNew(feeds, batch) {
  const unread = batch.filter((ev) => !ev.read);
  if (unread.length === 0) return feeds;
  const counts = new Map(feeds.unread);
  for (const ev of unread) counts.set(ev.feedId, (counts.get(ev.feedId) ?? 0) + 1);
  return { ...feeds, unread: counts };
}

/**
 * The sum of unread events, for "All feeds".
 * @param {FeedsSlice} feeds
 * @returns {number}
 */
export function totalUnread(feeds) {
  let total = 0;
  for (const n of feeds.unread.values()) total += n;
  return total;
}

/**
 * Mutes from the notification rules (`notification_settings().feeds`).
 * @param {FeedsSlice} feeds
 * @param {Record<string, { mute?: Mute }> | undefined} rules
 * @returns {FeedsSlice}
 */
export function setMutes(feeds, rules) {
  /** @type {Map<string, Mute>} */
  const mutes = new Map();
  for (const [id, rule] of Object.entries(rules ?? {})) {
    if (rule.mute && rule.mute.kind !== "off") mutes.set(id, rule.mute);
  }
  return { ...feeds, mutes };
}

/**
 * One feed's mute as saved (`mute_feed`'s answer).
 * @param {FeedsSlice} feeds
 * @param {string} id
 * @param {Mute} mute
 * @returns {FeedsSlice}
 */
export function setMute(feeds, id, mute) {
  const mutes = new Map(feeds.mutes);
  if (mute.kind === "off") mutes.delete(id);
  else mutes.set(id, mute);
  return { ...feeds, mutes };
}

/**
 * Whether a mute is in force at `now` (one with an end in the past no longer is).
 * @param {Mute | undefined} mute
 * @param {number} now
 * @returns {boolean}
 */
export function isMuted(mute, now) {
  if (!mute) return false;
  if (mute.kind === "forever") return true;
  return mute.kind === "until" && mute.untilMs > now;
}
