// @ts-check
// What a feed's status looks like to the user: the sentence (tooltips, the timeline title) and the
// sidebar's dot and label. Pure (the clock is a parameter) so every state is unit-tested in node.

import { formatShortTime, formatWeekday, sameDay } from "./format.js";

/** @typedef {import("./types.js").FeedStatus} FeedStatus */
/** @typedef {import("./types.js").FeedError} FeedError */

/**
 * Whole seconds until `at`, rounded up so a countdown never shows 0 while still waiting.
 * @param {number} at ms since epoch
 * @param {number} now ms since epoch
 * @returns {number}
 */
export function secondsUntil(at, now) {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * " — message" when the error has one; empty otherwise, so the sentence never ends in a dash.
 * @param {FeedError | undefined} error
 * @returns {string}
 */
function errorSuffix(error) {
  const message = error && typeof error.message === "string" ? error.message.trim() : "";
  return message ? ` — ${message}` : "";
}

/**
 * A stopped feed's sentence: the user paused it, or the server told it to stop (HTTP 204).
 * @param {unknown} reason
 * @returns {string}
 */
function stoppedText(reason) {
  if (reason === "user") return "Paused";
  if (reason === "server") return "Stopped by server";
  return "Stopped";
}

/**
 * The full status sentence, e.g. "Reconnecting in 4s — connection refused".
 * @param {FeedStatus | undefined} status
 * @param {number} now ms since epoch, for the countdown
 * @returns {string}
 */
export function statusText(status, now) {
  if (!status) return "Unknown";
  switch (status.state) {
    case "connecting": {
      const reason = typeof status.reason === "string" ? status.reason.trim() : "";
      return reason ? `Connecting… (${reason})` : "Connecting…";
    }
    case "live":
      return "Live";
    case "backoff": {
      const secs = secondsUntil(status.nextTryAt, now);
      // The countdown can reach 0 a moment before the backend reports "connecting".
      const when = secs > 0 ? `Reconnecting in ${secs}s` : "Reconnecting now";
      return when + errorSuffix(status.error);
    }
    case "needsAttention": {
      const hint = status.error && status.error.hint ? status.error.hint.trim() : "";
      return "Needs attention" + errorSuffix(status.error) + (hint ? ` (${hint})` : "");
    }
    case "stopped":
      return stoppedText(status.reason);
    default:
      // A state added on the Rust side before the UI learned it: show it rather than nothing.
      return String(/** @type {{ state?: unknown }} */ (status).state ?? "Unknown");
  }
}

/**
 * True when the status text changes with the clock, so the view must re-render every second.
 * @param {FeedStatus | undefined} status
 * @returns {boolean}
 */
export function isCountingDown(status) {
  return status?.state === "backoff";
}

/**
 * What the sidebar shows for a feed: a dot's state and a short label. A mute in force is
 * said after the connection state, since a muted feed still receives.
 * @param {FeedStatus | undefined} status
 * @param {import("./types.js").Mute | undefined} mute
 * @param {number} now ms since epoch
 * @returns {{ dot: "live" | "connecting" | "retrying" | "attention" | "paused" | "stopped", label: string, muted: string | null }}
 */
export function feedBadge(status, mute, now) {
  /** @type {string | null} */
  let muted = null;
  if (mute?.kind === "forever") muted = "Muted";
  else if (mute?.kind === "until" && mute.untilMs > now) muted = `Muted until ${formatClock(mute.untilMs, now)}`;
  switch (status?.state) {
    case "live":
      return { dot: "live", label: "Live", muted };
    case "backoff": {
      const secs = secondsUntil(status.nextTryAt, now);
      return { dot: "retrying", label: secs > 0 ? `Retrying in ${secs} s` : "Retrying now", muted };
    }
    case "needsAttention":
      return { dot: "attention", label: "Needs attention", muted };
    case "stopped":
      return status.reason === "user" ? { dot: "paused", label: "Paused", muted } : { dot: "stopped", label: "Stopped by server", muted };
    default:
      return { dot: "connecting", label: "Connecting…", muted };
  }
}

/**
 * A time soon after `now` as "14:05", or with the weekday when it is not today.
 * @param {number} at
 * @param {number} now
 * @returns {string}
 */
export function formatClock(at, now) {
  const time = formatShortTime(at);
  return sameDay(at, now) ? time : `${formatWeekday(at)} ${time}`;
}
