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
 * Renders at the next animation frame, so every IPC message within a frame costs one render.
 * The timeout is a floor: some webviews pause animation frames while the window is hidden,
 * and the state on screen must still catch up (e.g. for tests driving a background window).
 * @param {() => void} flush
 */
function nextFrame(flush) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    flush();
  };
  requestAnimationFrame(run);
  setTimeout(run, 100);
}

applyRememberedTheme();
const store = createStore({ now: Date.now(), schedule: nextFrame });
const actions = createActions(store, ipc);

mountNotices(store, actions);
mountNav(store, actions);
mountSidebar(store, actions);
mountTimeline(store, actions);
mountEditor(store, actions);
mountSettings(store, actions);

// Countdowns ("retrying in N s") and mutes ending follow the clock.
setInterval(() => actions.tick(Date.now()), 1000);

actions.start().catch((err) => {
  // start() reports its own failures; this catches a bug in it.
  console.error("Herald: startup failed", err);
});
