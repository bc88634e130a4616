// @ts-check
// The feed editor: open it for a new feed or a saved one, edit, test the connection, preview
// the notification, save (the feed, then its notification rule), delete.

import { toIpcError } from "../errors.js";
import * as app from "../state/app.js";
import * as editor from "../state/editor.js";
import * as feeds from "../state/feeds.js";

/** @typedef {import("./context.js").Context} Context */
/** @typedef {import("../state/editor.js").Fields} Fields */
/** @typedef {import("../state/editor.js").HeaderRow} HeaderRow */
/** @typedef {import("../types.js").FeedRule} FeedRule */
/** @typedef {import("../types.js").FeedView} FeedView */

/** The preview follows the mapping this long after the last keystroke. */
export const PREVIEW_DELAY_MS = 300;

/**
 * @param {Context} ctx
 * @param {{ showFeed: (id: string, reload?: boolean) => Promise<void> }} timeline what to show once saved
 */
export function createEditorActions(ctx, timeline) {
  const { store, api } = ctx;
  /** @type {unknown} */
  let previewTimer = null;

  /** The open feed's newest event as a notification with the mapping being edited. */
  async function preview() {
    previewTimer = null;
    const { feedId, rule } = store.get().editor;
    if (feedId === null) return;
    store.change("editor", (e) => editor.setPreview(e, { ...e.preview, state: "loading" }));
    try {
      const message = await api.previewNotification(feedId, rule.mapping ?? {});
      store.change("editor", (e) =>
        e.feedId === feedId ? editor.setPreview(e, { state: message ? "ready" : "none", message, error: null }) : e,
      );
    } catch (raw) {
      const error = toIpcError(raw).message;
      store.change("editor", (e) => (e.feedId === feedId ? editor.setPreview(e, { state: "failed", message: null, error }) : e));
    }
  }

  return {
    /**
     * Opens the editor for a new feed.
     * @param {Partial<Fields>} [prefill]
     */
    openNew(prefill) {
      store.change("editor", () => editor.forNew(prefill));
      store.change("app", (a) => app.show(a, "editor"));
    },

    /**
     * Opens the editor on a saved feed, with its notification rule.
     * @param {string} id
     * @returns {Promise<void>}
     */
    async openEdit(id) {
      const feed = store.get().feeds.byId.get(id);
      if (!feed) return;
      store.change("editor", () => editor.forFeed(feed, undefined));
      store.change("app", (a) => app.show(a, "editor"));
      try {
        const rules = await api.notificationSettings();
        const rule = rules.feeds?.[id];
        store.change("editor", (e) => (e.feedId === id && !e.ruleChanged ? { ...e, rule: { ...editor.defaultRule(), ...rule } } : e));
        store.change("feeds", (f) => feeds.setMutes(f, rules.feeds));
      } catch (raw) {
        ctx.report("Could not load the feed's notification rule", raw);
      }
      await preview();
    },

    /** Leaves the editor without saving. */
    close() {
      if (previewTimer !== null) ctx.cancel(previewTimer);
      store.change("app", (a) => app.show(a, "timeline"));
    },

    /**
     * @param {keyof Fields} field
     * @param {string} value
     */
    setField(field, value) {
      store.change("editor", (e) => editor.setField(e, field, value));
    },

    /**
     * @param {number} index
     * @param {Partial<HeaderRow>} change
     */
    setHeader(index, change) {
      store.change("editor", (e) => editor.setHeader(e, index, change));
    },

    addHeader() {
      store.change("editor", editor.addHeader);
    },

    /** @param {number} index */
    removeHeader(index) {
      store.change("editor", (e) => editor.removeHeader(e, index));
    },

    /**
     * Edits the notification rule; a mapping change refreshes the preview shortly after.
     * @param {Partial<FeedRule>} change
     */
    setRule(change) {
      store.change("editor", (e) => editor.setRule(e, change));
      if (change.mapping !== undefined) {
        if (previewTimer !== null) ctx.cancel(previewTimer);
        previewTimer = ctx.later(() => void preview(), PREVIEW_DELAY_MS);
      }
    },

    /**
     * Connects once with what the form says and shows what came (or exactly what failed).
     * @returns {Promise<void>}
     */
    async test() {
      const e = store.get().editor;
      if (e.test.state === "running") return;
      const built = editor.toDraft(e);
      if ("error" in built) {
        store.change("editor", (s) => editor.saveFailed(s, built.error));
        return;
      }
      store.change("editor", (s) => editor.setTest(s, { state: "running", result: null, error: null }));
      try {
        const result = await api.testFeed(built.draft, e.feedId);
        store.change("editor", (s) => editor.setTest(s, { state: "done", result, error: null }));
      } catch (raw) {
        const err = toIpcError(raw);
        store.change("editor", (s) => {
          const next = editor.setTest(s, { state: "done", result: null, error: err.code === "invalid" ? null : err.message });
          return err.code === "invalid" ? editor.saveFailed(next, err) : next;
        });
      }
    },

    /**
     * Saves the feed (added or edited), then its notification rule if it changed. Resolves
     * true when saved; then the timeline shows the feed.
     * @returns {Promise<boolean>}
     */
    async save() {
      const e = store.get().editor;
      if (e.saving) return false;
      const built = editor.toDraft(e);
      if ("error" in built) {
        store.change("editor", (s) => editor.saveFailed(s, built.error));
        return false;
      }
      store.change("editor", editor.saveStarted);
      /** @type {FeedView} */
      let feed;
      try {
        feed = e.feedId === null ? await api.addFeed(built.draft) : await api.updateFeed(e.feedId, built.draft);
      } catch (raw) {
        store.change("editor", (s) => editor.saveFailed(s, toIpcError(raw)));
        return false;
      }
      store.change("feeds", (f) => feeds.upsert(f, feed));
      if (e.ruleChanged) {
        try {
          await api.setFeedRule(feed.id, e.rule);
        } catch (raw) {
          // The feed is saved; say that the rule is not, and stay in the editor to retry.
          store.change("editor", (s) => ({ ...editor.saved(s, feed), ruleChanged: true, errors: { form: `The feed is saved, but its notification rule is not: ${toIpcError(raw).message}` } }));
          return false;
        }
      }
      // A rule edited while saving is not saved yet: it stays marked as changed.
      store.change("editor", (s) => ({ ...editor.saved(s, feed), ruleChanged: s.rule !== e.rule }));
      await timeline.showFeed(feed.id, true);
      return true;
    },

    /**
     * First press asks; the second (or `confirm`) deletes.
     * @param {boolean} confirm
     */
    askDelete(confirm) {
      store.change("editor", (e) => editor.confirmDelete(e, confirm));
    },

    preview,
  };
}

/** @typedef {ReturnType<typeof createEditorActions>} EditorActions */
