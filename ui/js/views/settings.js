// @ts-check
// The global settings screen: notifications (whether they work, a test, quiet hours, flood
// control), history (retention), appearance (theme), feeds (export, import), logs, about.
// Each section saves on its own button and says what happened next to it.

import { byId, el, setText } from "../dom.js";
import { minutesOf, timeOfDay, wholeNumber } from "../state/settings.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {import("../state/store.js").State} State */
/** @typedef {import("../state/settings.js").Section} Section */
/** @typedef {import("../actions/index.js").Actions} Actions */
/** @typedef {import("../types.js").Theme} Theme */

/**
 * @param {HTMLInputElement} input
 * @param {string} value
 */
function setValue(input, value) {
  if (input.value !== value && document.activeElement !== input) input.value = value;
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountSettings(store, actions) {
  const view = byId("settings-view", HTMLElement);
  const close = byId("settings-close", HTMLButtonElement);
  const health = byId("notify-health", HTMLParagraphElement);
  const sendTest = byId("send-test", HTMLButtonElement);
  const quietOn = byId("quiet-on", HTMLInputElement);
  const quietFields = byId("quiet-fields", HTMLDivElement);
  const days = /** @type {HTMLInputElement[]} */ ([...view.querySelectorAll("input[data-day]")]);
  const quietStart = byId("quiet-start", HTMLInputElement);
  const quietEnd = byId("quiet-end", HTMLInputElement);
  const quietCritical = byId("quiet-critical", HTMLInputElement);
  const saveQuiet = byId("save-quiet", HTMLButtonElement);
  const floodBurst = byId("flood-burst", HTMLInputElement);
  const floodWindow = byId("flood-window", HTMLInputElement);
  const floodGlobal = byId("flood-global", HTMLInputElement);
  const saveFlood = byId("save-flood", HTMLButtonElement);
  const keepEvents = byId("keep-events", HTMLInputElement);
  const keepDays = byId("keep-days", HTMLInputElement);
  const historyError = byId("history-error", HTMLParagraphElement);
  const saveHistory = byId("save-history", HTMLButtonElement);
  const themes = /** @type {HTMLInputElement[]} */ ([...view.querySelectorAll("input[name=theme]")]);
  const loginStart = byId("login-start", HTMLInputElement);
  const keychain = byId("keychain", HTMLInputElement);
  const exportButton = byId("export-feeds", HTMLButtonElement);
  const exportSecrets = byId("export-secrets", HTMLInputElement);
  const importFile = byId("import-file", HTMLInputElement);
  const openLogs = byId("open-logs", HTMLButtonElement);
  const about = byId("about", HTMLDListElement);
  /** @type {Record<Section, HTMLElement>} */
  const outcomes = {
    test: byId("outcome-test", HTMLSpanElement),
    quiet: byId("outcome-quiet", HTMLSpanElement),
    flood: byId("outcome-flood", HTMLSpanElement),
    history: byId("outcome-history", HTMLSpanElement),
    appearance: byId("outcome-appearance", HTMLSpanElement),
    startup: byId("outcome-startup", HTMLSpanElement),
    secrets: byId("outcome-secrets", HTMLSpanElement),
    transfer: byId("outcome-transfer", HTMLParagraphElement),
    logs: byId("outcome-logs", HTMLSpanElement),
  };

  close.addEventListener("click", () => void actions.showFeed(store.get().timeline.filter.feed));
  view.addEventListener("keydown", (e) => {
    if (e.key === "Escape") void actions.showFeed(store.get().timeline.filter.feed);
  });
  sendTest.addEventListener("click", () => void actions.settings.sendTest());
  quietOn.addEventListener("change", () => (quietFields.hidden = !quietOn.checked));
  saveQuiet.addEventListener("click", () => {
    if (!quietOn.checked) return void actions.settings.saveQuiet(undefined);
    const startMin = minutesOf(quietStart.value);
    const endMin = minutesOf(quietEnd.value);
    if (startMin === null || endMin === null) {
      setText(outcomes.quiet, "Enter both times.");
      return;
    }
    const picked = days.filter((d) => d.checked).map((d) => Number(d.dataset.day));
    void actions.settings.saveQuiet({ days: picked, startMin, endMin, criticalPasses: quietCritical.checked });
  });
  saveFlood.addEventListener("click", () => {
    const burst = wholeNumber(floodBurst.value, { min: 1, max: 1000, empty: 5 });
    const window = wholeNumber(floodWindow.value, { min: 1, max: 3600, empty: 10 });
    const global = wholeNumber(floodGlobal.value, { min: 1, max: 10000, empty: 20 });
    for (const r of [burst, window, global]) {
      if ("error" in r) return void setText(outcomes.flood, r.error);
    }
    const value = (/** @type {{ value: number | null }} */ r) => r.value ?? 1;
    void actions.settings.saveFlood({
      feedBurst: value(/** @type {{ value: number | null }} */ (burst)),
      feedWindowSecs: value(/** @type {{ value: number | null }} */ (window)),
      globalPerMinute: value(/** @type {{ value: number | null }} */ (global)),
    });
  });
  saveHistory.addEventListener("click", () => {
    const events = wholeNumber(keepEvents.value, { min: 100, max: 10_000_000, empty: null });
    const ageDays = wholeNumber(keepDays.value, { min: 1, max: 36500, empty: null });
    const error = "error" in events ? events.error : "error" in ageDays ? ageDays.error : "";
    setText(historyError, error);
    if ("error" in events || "error" in ageDays) return;
    void actions.settings.saveRetention({ maxEvents: events.value, maxAgeDays: ageDays.value });
  });
  for (const radio of themes) {
    radio.addEventListener("change", () => {
      if (radio.checked) void actions.settings.setTheme(/** @type {Theme} */ (radio.value));
    });
  }
  loginStart.addEventListener("change", () => void actions.settings.setLoginStart(loginStart.checked));
  keychain.addEventListener("change", () => void actions.settings.setKeychain(keychain.checked));
  exportButton.addEventListener("click", () => void actions.settings.exportFeeds(exportSecrets.checked));
  importFile.addEventListener("change", async () => {
    const file = importFile.files?.[0];
    if (!file) return;
    const text = await file.text();
    importFile.value = "";
    await actions.settings.importFeeds(text);
  });
  openLogs.addEventListener("click", () => void actions.settings.openLogs());

  /** @type {State | null} */
  let last = null;

  /** @param {State} state */
  function render(state) {
    if (state.app.screen !== "settings") {
      last = null;
      return;
    }
    const s = state.settings;
    if (last && last.settings === s) return;
    const fresh = !last || last.settings.notify !== s.notify || last.settings.general !== s.general;
    last = state;

    // Never empty, so the buttons below it do not move when the answer comes.
    setText(
      health,
      s.health === null
        ? "Checking whether notifications work…"
        : s.health.problem === null
          ? "Notifications work."
          : `Notifications do not work: ${s.health.problem}`,
    );
    health.dataset.ok = s.health === null ? "unknown" : String(s.health.problem === null);
    for (const [section, node] of Object.entries(outcomes)) {
      const outcome = s.outcomes[/** @type {Section} */ (section)];
      setText(node, outcome?.text ?? "");
      node.dataset.ok = String(outcome?.ok ?? true);
    }

    if (fresh && s.notify) {
      const q = s.notify.quiet;
      quietOn.checked = q !== undefined;
      quietFields.hidden = q === undefined;
      const quietDays = new Set(q?.days ?? [0, 1, 2, 3, 4, 5, 6]);
      for (const d of days) d.checked = quietDays.has(Number(d.dataset.day));
      setValue(quietStart, timeOfDay(q?.startMin ?? 22 * 60));
      setValue(quietEnd, timeOfDay(q?.endMin ?? 7 * 60));
      quietCritical.checked = q?.criticalPasses ?? true;
      setValue(floodBurst, String(s.notify.flood.feedBurst));
      setValue(floodWindow, String(s.notify.flood.feedWindowSecs));
      setValue(floodGlobal, String(s.notify.flood.globalPerMinute));
    }
    if (fresh && s.general) {
      setValue(keepEvents, s.general.retention.maxEvents === null ? "" : String(s.general.retention.maxEvents));
      setValue(keepDays, s.general.retention.maxAgeDays === null ? "" : String(s.general.retention.maxAgeDays));
    }
    for (const radio of themes) radio.checked = radio.value === s.theme;
    loginStart.disabled = s.loginStart === null;
    loginStart.checked = s.loginStart === true;
    keychain.disabled = !s.general;
    keychain.checked = s.general?.keychain ?? true;
    if (s.info) {
      const info = s.info;
      const rows = [
        ["Version", info.version],
        ["Settings", info.settingsFile],
        ["Events", info.databaseFile],
        ["Logs", info.logDir],
      ];
      about.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
    }
  }

  store.subscribe(render);
  render(store.get());
}
