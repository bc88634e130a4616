// @ts-check
// The settings slice: the global settings screen's data as loaded from the backend (general
// settings, notification defaults, the about box, whether notifications work) and the outcome
// of its last actions (saved, a test notification, an export or import).

/** @typedef {import("../types.js").GeneralSettings} GeneralSettings */
/** @typedef {import("../types.js").NotifySettings} NotifySettings */
/** @typedef {import("../types.js").AppInfo} AppInfo */
/** @typedef {import("../types.js").NotifyHealth} NotifyHealth */
/** @typedef {import("../types.js").Theme} Theme */

/**
 * What the last action of a section said: ok or not, in one sentence.
 * @typedef {{ ok: boolean, text: string }} Outcome
 */

/**
 * @typedef {object} SettingsSlice
 * @property {GeneralSettings | null} general null until loaded
 * @property {NotifySettings | null} notify null until loaded
 * @property {AppInfo | null} info
 * @property {NotifyHealth | null} health
 * @property {Theme} theme the theme shown now (applied before the settings load, from the last run)
 * @property {boolean | null} loginStart whether Herald starts at login; null until known
 * @property {Partial<Record<Section, Outcome>>} outcomes per section
 */

/** @typedef {"quiet" | "flood" | "history" | "appearance" | "startup" | "secrets" | "test" | "transfer" | "logs"} Section */

/** @returns {SettingsSlice} */
export function initial() {
  return { general: null, notify: null, info: null, health: null, theme: "system", loginStart: null, outcomes: {} };
}

/**
 * @param {SettingsSlice} s
 * @param {Partial<Pick<SettingsSlice, "general" | "notify" | "info" | "health" | "loginStart">>} loaded
 * @returns {SettingsSlice}
 */
export function setLoaded(s, loaded) {
  const next = { ...s, ...loaded };
  if (loaded.general) next.theme = loaded.general.theme;
  return next;
}

/**
 * @param {SettingsSlice} s
 * @param {Section} section
 * @param {Outcome | null} outcome null clears it
 * @returns {SettingsSlice}
 */
export function setOutcome(s, section, outcome) {
  const outcomes = { ...s.outcomes };
  if (outcome) outcomes[section] = outcome;
  else delete outcomes[section];
  return { ...s, outcomes };
}

/**
 * Minutes after midnight as "HH:MM" for a time input.
 * @param {number} minutes
 * @returns {string}
 */
export function timeOfDay(minutes) {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/**
 * "HH:MM" from a time input as minutes after midnight, or null when it is not a time.
 * @param {string} text
 * @returns {number | null}
 */
export function minutesOf(text) {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  return h < 24 && m < 60 ? h * 60 + m : null;
}

/**
 * Reads a whole number from a settings field: "" → `empty`; anything else must be a whole
 * number in `min`…`max`.
 * @param {string} text
 * @param {{ min: number, max: number, empty: number | null }} range
 * @returns {{ value: number | null } | { error: string }}
 */
export function wholeNumber(text, range) {
  const t = text.trim();
  if (t === "") return { value: range.empty };
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    return { error: `Enter a whole number from ${range.min} to ${range.max}${range.empty === null ? ", or leave it empty for no limit" : ""}.` };
  }
  return { value: n };
}
