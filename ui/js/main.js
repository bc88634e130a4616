// @ts-check
// Entry point: builds the store and the actions, mounts the views, then starts listening to
// and loading from the backend. Module scripts run after the document is parsed, so the
// DOM is ready.

import { createActions } from "./actions/index.js";
import * as ipc from "./ipc.js";
import { createStore } from "./state/store.js";
import { mountEditor } from "./views/editor.js";
import { applyRememberedTheme, mountNav } from "./views/nav.js";
import { mountNotices } from "./views/notices.js";
import { mountSettings } from "./views/settings.js";
import { mountSidebar } from "./views/sidebar.js";
import { mountTimeline } from "./views/timeline/index.js";

/**
 * Renders once the current task is done: every change an IPC message (or a burst of them in
 * one task) makes costs one render, and the rows are in the DOM for the very next frame. The
 * backend already sends live events at most once a frame (bridge.rs), so this never renders
 * more often than the screen refreshes for them; waiting for an animation frame as well cost
 * a frame of latency (BENCHMARKS.md, the window).
 * @param {() => void} flush
 */
const soon = (flush) => queueMicrotask(flush);

applyRememberedTheme();
const store = createStore({ now: Date.now(), schedule: soon });
const actions = createActions(store, ipc);

mountNotices(store, actions);
mountNav(store, actions);
mountSidebar(store, actions);
mountTimeline(store, actions);
mountEditor(store, actions);
mountSettings(store, actions);

// Countdowns ("retrying in N s") and mutes ending follow the clock.
setInterval(() => actions.tick(Date.now()), 1000);

/**
 * What the window was opened for, when the shell built it for a reason (a notification click,
 * a tray item or a subscribe link while it was closed): set by the shell before this page's
 * scripts run.
 * @type {import("./types.js").ActivateTarget | undefined}
 */
const intent = /** @type {any} */ (window).heraldIntent;

actions
  .start()
  .then(() => intent && actions.activate({ feedId: intent.feedId ?? null, seq: intent.seq ?? null, subscribe: intent.subscribe }))
  .catch((err) => {
    // start() reports its own failures; this catches a bug in it.
    console.error("Herald: startup failed", err);
  });
