// @ts-check
// The app bar and the screens: which of timeline, editor and settings is visible, the search
// box (`/` focuses it, Escape clears it), the settings button, and the theme on <html>.

import { byId, setAttr, show } from "../dom.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {import("../state/store.js").State} State */
/** @typedef {import("../actions/index.js").Actions} Actions */

/** Where the last theme is remembered, so the next start paints in it before settings load. */
const THEME_KEY = "herald.theme";

/** Applies the remembered theme at once (before anything renders). */
export function applyRememberedTheme() {
  try {
    const theme = localStorage.getItem(THEME_KEY);
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch {
    // Storage may be unavailable; the system theme then shows until the settings load.
  }
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountNav(store, actions) {
  const search = byId("search", HTMLInputElement);
  const openSettings = byId("open-settings", HTMLButtonElement);
  const editorView = byId("editor-view", HTMLElement);
  const settingsView = byId("settings-view", HTMLElement);

  search.addEventListener("input", () => {
    if (store.get().app.screen !== "timeline") void actions.showFeed(store.get().timeline.filter.feed);
    actions.timeline.search(search.value);
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && search.value !== "") {
      search.value = "";
      actions.timeline.search("");
      e.preventDefault();
    } else if (e.key === "ArrowDown" || e.key === "Enter") {
      byId("timeline", HTMLDivElement).focus();
      e.preventDefault();
    }
  });
  openSettings.addEventListener("click", () => {
    if (store.get().app.screen === "settings") void actions.showFeed(store.get().timeline.filter.feed);
    else void actions.settings.open();
  });
  document.addEventListener("keydown", (e) => {
    const target = e.target;
    const typing =
      target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      search.focus();
      search.select();
    }
  });

  /** @type {State | null} */
  let last = null;

  /** @param {State} state */
  function render(state) {
    if (last && last.app.screen === state.app.screen && last.settings.theme === state.settings.theme && last.search.text === state.search.text) return;
    last = state;
    show(editorView, state.app.screen === "editor");
    show(settingsView, state.app.screen === "settings");
    setAttr(openSettings, "aria-pressed", String(state.app.screen === "settings"));
    if (search.value !== state.search.text && document.activeElement !== search) search.value = state.search.text;
    const theme = state.settings.theme;
    if (theme === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem(THEME_KEY, theme);
    } catch {
      // Not remembered: only the first paint of the next start is affected.
    }
  }

  store.subscribe(render);
  render(store.get());
}
