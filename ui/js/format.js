// @ts-check
// Small pure formatting rules shared by the views, kept apart so node can test them.

/**
 * The formatters, made once: each `toLocale…String(locale, options)` call builds a formatter of
 * its own (ICU memory outside the JS heap, freed only when collected), and the timeline formats
 * rows on every scroll. One instance each keeps both the time and the memory flat.
 */
const FORMATS = {
  shortTime: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }),
  dateTime: new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" }),
  day: new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" }),
  dayOfYear: new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" }),
  weekday: new Intl.DateTimeFormat(undefined, { weekday: "short" }),
  number: new Intl.NumberFormat(),
};

/**
 * An SSE event without an `event:` field has type "message" (HTML spec, "dispatch the
 * event", step 4); show that rather than a blank if the backend ever sends "".
 * @param {string} type
 * @returns {string}
 */
export function eventType(type) {
  return type || "message";
}

/**
 * Local date and time, for a tooltip.
 * @param {number} ms since epoch
 * @returns {string}
 */
export function formatDateTime(ms) {
  return FORMATS.dateTime.format(ms);
}

/**
 * "1 event", "2 events".
 * @param {number} n
 * @param {string} noun singular
 * @returns {string}
 */
export function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * The day an event belongs to, as a group label: "Today", "Yesterday", else the date.
 * @param {number} ms since epoch
 * @param {number} now ms since epoch
 * @returns {string}
 */
export function dayLabel(ms, now) {
  const day = new Date(ms);
  const today = new Date(now);
  if (day.toDateString() === today.toDateString()) return "Today";
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (day.toDateString() === yesterday.toDateString()) return "Yesterday";
  const sameYear = day.getFullYear() === today.getFullYear();
  return (sameYear ? FORMATS.day : FORMATS.dayOfYear).format(day);
}

/**
 * Whether two times fall on the same local day.
 * @param {number} a
 * @param {number} b
 * @returns {boolean}
 */
export function sameDay(a, b) {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/**
 * "1,234" in the user's locale.
 * @param {number} n
 * @returns {string}
 */
export function count(n) {
  return FORMATS.number.format(n);
}

/**
 * Local time of day without seconds, for a timeline row: "14:03".
 * @param {number} ms since epoch
 * @returns {string}
 */
export function formatShortTime(ms) {
  return FORMATS.shortTime.format(ms);
}

/**
 * A weekday as a short word ("Mon"), for times in the coming days.
 * @param {number} ms since epoch
 * @returns {string}
 */
export function formatWeekday(ms) {
  return FORMATS.weekday.format(ms);
}
