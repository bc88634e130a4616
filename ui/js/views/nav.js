// @ts-check
// The two view buttons in the app bar, and which view is visible (`hidden` on the other).

import { byId, setAttr, show } from "../dom.js";

/** @typedef {import("../store.js").Store} Store */
/** @typedef {import("../store.js").State} State */
/** @typedef {import("../actions.js").Actions} Actions */

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountNav(store, actions) {
  const openTimeline = byId("open-timeline", HTMLButtonElement);
  const openSettings = byId("open-settings", HTMLButtonElement);
  const timelineView = byId("timeline-view", HTMLElement);
  const settingsView = byId("settings-view", HTMLElement);

  openTimeline.addEventListener("click", () => actions.setView("timeline"));
  openSettings.addEventListener("click", () => actions.setView("settings"));

  /** @param {State} state */
  function render(state) {
    const onTimeline = state.view === "timeline";
    show(timelineView, onTimeline);
    show(settingsView, !onTimeline);
    setAttr(openTimeline, "aria-pressed", String(onTimeline));
    setAttr(openSettings, "aria-pressed", String(!onTimeline));
  }

  store.subscribe(render);
  render(store.getState());
}
