// @ts-check
// What can be done to a feed from the sidebar and the editor without editing it: add the
// demo feed, pause or resume, reconnect now, mute, remove.

import * as app from "../state/app.js";
import * as feeds from "../state/feeds.js";

/** @typedef {import("./context.js").Context} Context */
/** @typedef {import("../ipc.js").MuteFor} MuteFor */

/**
 * @param {Context} ctx
 */
export function createFeedActions(ctx) {
  const { store, api } = ctx;
  return {
    /** @returns {Promise<void>} */
    async addDemoFeed() {
      try {
        const feed = await api.addDemoFeed();
        store.change("feeds", (f) => feeds.upsert(f, feed));
      } catch (raw) {
        ctx.report("Could not add the demo feed", raw);
      }
    },

    /**
     * Pauses a feed or resumes it (which also restarts one the server stopped). The new status
     * arrives as `herald://status`.
     * @param {string} id
     * @param {boolean} paused
     * @returns {Promise<void>}
     */
    async setPaused(id, paused) {
      try {
        await api.setFeedPaused(id, paused);
        const feed = store.get().feeds.byId.get(id);
        if (feed) store.change("feeds", (f) => feeds.upsert(f, { ...feed, paused }));
      } catch (raw) {
        ctx.report(paused ? "Could not pause the feed" : "Could not resume the feed", raw);
      }
    },

    /**
     * Drops the feed's connection or wait and connects now.
     * @param {string} id
     * @returns {Promise<void>}
     */
    async reconnect(id) {
      try {
        await api.reconnectFeed(id);
      } catch (raw) {
        ctx.report("Could not reconnect the feed", raw);
      }
    },

    /**
     * @param {string} id
     * @param {MuteFor} howLong
     * @returns {Promise<void>}
     */
    async mute(id, howLong) {
      try {
        const mute = await api.muteFeed(id, howLong);
        store.change("feeds", (f) => feeds.setMute(f, id, mute));
      } catch (raw) {
        ctx.report(howLong === "off" ? "Could not unmute the feed" : "Could not mute the feed", raw);
      }
    },

    /**
     * Unsubscribes; its stored events go with it (the editor asked first).
     * @param {string} id
     * @returns {Promise<boolean>} whether it was removed
     */
    async remove(id) {
      try {
        await api.removeFeed(id);
        store.change("feeds", (f) => feeds.remove(f, id));
        store.change("app", (a) => app.show(a, "timeline"));
        return true;
      } catch (raw) {
        ctx.report("Could not remove the feed", raw);
        return false;
      }
    },
  };
}

/** @typedef {ReturnType<typeof createFeedActions>} FeedActions */
