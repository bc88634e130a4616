// @ts-check
// The app slice: which screen is shown, the notices on screen, and the clock countdowns read.

/** @typedef {import("../types.js").Notice} Notice */
/** @typedef {import("../types.js").NoticeLevel} NoticeLevel */

/** How many notices stay on screen at most; the oldest go first. */
export const NOTICE_CAP = 20;

/** @typedef {"timeline" | "editor" | "settings"} Screen */
/** @typedef {{ id: number, level: NoticeLevel, message: string }} NoticeItem */

/**
 * @typedef {object} AppSlice
 * @property {Screen} screen what the main area shows
 * @property {NoticeItem[]} notices oldest first
 * @property {number} nextNotice the id the next notice gets
 * @property {number} now the clock for countdowns, advanced by `tick`
 */

/**
 * @param {number} now
 * @returns {AppSlice}
 */
export function initial(now) {
  return { screen: "timeline", notices: [], nextNotice: 1, now };
}

/**
 * @param {AppSlice} app
 * @param {Screen} screen
 * @returns {AppSlice}
 */
export function show(app, screen) {
  return app.screen === screen ? app : { ...app, screen };
}

/**
 * @param {unknown} level
 * @returns {NoticeLevel}
 */
function noticeLevel(level) {
  return level === "warning" || level === "error" ? level : "info";
}

/**
 * Adds a notice unless the same one is already on screen (startup notices may come both from
 * `notices` and as `herald://notice`).
 * @param {AppSlice} app
 * @param {Notice} notice
 * @returns {AppSlice}
 */
export function addNotice(app, notice) {
  const level = noticeLevel(notice.level);
  const message = String(notice.message ?? "");
  if (app.notices.some((n) => n.level === level && n.message === message)) return app;
  const item = { id: app.nextNotice, level, message };
  return { ...app, notices: [...app.notices, item].slice(-NOTICE_CAP), nextNotice: app.nextNotice + 1 };
}

/**
 * @param {AppSlice} app
 * @param {number} id
 * @returns {AppSlice}
 */
export function dismissNotice(app, id) {
  const notices = app.notices.filter((n) => n.id !== id);
  return notices.length === app.notices.length ? app : { ...app, notices };
}

/**
 * @param {AppSlice} app
 * @param {number} now
 * @returns {AppSlice}
 */
export function tick(app, now) {
  return { ...app, now };
}
