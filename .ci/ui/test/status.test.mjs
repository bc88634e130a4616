import assert from "node:assert/strict";
import { test } from "node:test";
import { feedBadge, formatClock, isCountingDown, secondsUntil, statusText } from "../../../ui/js/status.js";

const NOW = 1_700_000_000_000;
const err = (message, hint) => ({ kind: "http", message, status: 503, hint });

const cases = [
  // [status, expected status text, short label (no view shows it any more)]
  [{ state: "connecting", attempt: 1 }, "Connecting…", "Connecting…"],
  [{ state: "connecting", attempt: 0, reason: "the computer woke from sleep" }, "Connecting… (the computer woke from sleep)", "Connecting…"],
  [{ state: "connecting", attempt: 0, reason: "you asked to reconnect" }, "Connecting… (you asked to reconnect)", "Connecting…"],
  [{ state: "connecting", attempt: 0, reason: "  " }, "Connecting…", "Connecting…"],
  [{ state: "connecting", attempt: 0, reason: null }, "Connecting…", "Connecting…"],
  [{ state: "live", since: NOW - 5000 }, "Live", "Live"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW + 4000, error: err("connection refused") }, "Reconnecting in 4s — connection refused", "Reconnecting"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW + 4001, error: err("refused") }, "Reconnecting in 5s — refused", "Reconnecting"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW + 1, error: err("refused") }, "Reconnecting in 1s — refused", "Reconnecting"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW - 10, error: err("refused") }, "Reconnecting now — refused", "Reconnecting"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW + 3000, error: err("") }, "Reconnecting in 3s", "Reconnecting"],
  [{ state: "needsAttention", nextTryAt: NOW + 60000, error: err("401 Unauthorized", "check the Authorization header") }, "Needs attention — 401 Unauthorized (check the Authorization header)", "Needs attention"],
  [{ state: "needsAttention", nextTryAt: NOW, error: err("404 Not Found", null) }, "Needs attention — 404 Not Found", "Needs attention"],
  [{ state: "needsAttention", nextTryAt: NOW, error: { kind: "http", message: "404 Not Found" } }, "Needs attention — 404 Not Found", "Needs attention"],
  [{ state: "stopped", reason: "server" }, "Stopped by server", "Stopped"],
  [{ state: "stopped", reason: "user" }, "Paused", "Paused"],
  [{ state: "stopped", reason: "admin" }, "Stopped", "Stopped"],
  [{ state: "warpDrive" }, "warpDrive", "Unknown"],
  [undefined, "Unknown", "Unknown"],
];

for (const [status, text] of cases) {
  test(`status ${status?.state ?? "missing"}${status?.reason ? ` (${status.reason})` : ""} reads "${text}"`, () => {
    assert.equal(statusText(status, NOW), text);
  });
}

test("only backoff counts down", () => {
  assert.equal(isCountingDown({ state: "backoff", attempt: 1, nextTryAt: 0, error: err("x") }), true);
  for (const status of [{ state: "live", since: 0 }, { state: "needsAttention", nextTryAt: 0, error: err("x") }, undefined]) {
    assert.equal(isCountingDown(status), false);
  }
});


const seconds = [
  // [at - now in ms, expected whole seconds]
  [0, 0],
  [-5000, 0],
  [1, 1],
  [999, 1],
  [1000, 1],
  [1001, 2],
  [30000, 30],
];
for (const [delta, want] of seconds) {
  test(`secondsUntil(now + ${delta}ms) is ${want}`, () => {
    assert.equal(secondsUntil(NOW + delta, NOW), want);
  });
}

const badges = [
  // [status, dot, label]
  [{ state: "live", since: NOW }, "live", "Live"],
  [{ state: "connecting", attempt: 1 }, "connecting", "Connecting…"],
  [{ state: "connecting", attempt: 0, reason: "the computer woke from sleep" }, "connecting", "Connecting…"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW + 4001, error: err("x") }, "retrying", "Retrying in 5 s"],
  [{ state: "backoff", attempt: 2, nextTryAt: NOW, error: err("x") }, "retrying", "Retrying now"],
  [{ state: "needsAttention", nextTryAt: NOW, error: err("401") }, "attention", "Needs attention"],
  [{ state: "stopped", reason: "user" }, "paused", "Paused"],
  [{ state: "stopped", reason: "server" }, "stopped", "Stopped by server"],
  [undefined, "connecting", "Connecting…"],
];
for (const [status, dot, label] of badges) {
  test(`feedBadge ${status?.state ?? "missing"}${status?.reason ? ` (${status.reason})` : ""}: ${dot} "${label}"`, () => {
    assert.deepEqual(feedBadge(status, undefined, NOW), { dot, label, muted: null });
  });
}

const mutes = [
  // [mute, muted text: null, "Muted", or "until" (then it names the end's clock time)]
  [undefined, null],
  [{ kind: "off" }, null],
  [{ kind: "forever" }, "Muted"],
  [{ kind: "until", untilMs: NOW + 3_600_000 }, "until"],
  [{ kind: "until", untilMs: NOW }, null],
  [{ kind: "until", untilMs: NOW - 1 }, null],
];
for (const [mute, want] of mutes) {
  test(`feedBadge with mute ${JSON.stringify(mute)}: ${want}`, () => {
    const badge = feedBadge({ state: "live", since: NOW }, mute, NOW);
    assert.equal(badge.dot, "live", "a muted feed still shows its connection");
    if (want === "until") assert.equal(badge.muted, `Muted until ${formatClock(mute.untilMs, NOW)}`);
    else assert.equal(badge.muted, want);
  });
}

test("formatClock: a time today is just the time; another day adds the weekday", () => {
  const now = new Date(2024, 2, 14, 9, 0).getTime();
  const later = new Date(2024, 2, 14, 23, 5).getTime();
  const tomorrow = new Date(2024, 2, 15, 8, 30).getTime();
  const time = (ms) => new Date(ms).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  const weekday = (ms) => new Date(ms).toLocaleDateString(undefined, { weekday: "short" });
  assert.equal(formatClock(later, now), time(later));
  assert.equal(formatClock(tomorrow, now), `${weekday(tomorrow)} ${time(tomorrow)}`);
  assert.notEqual(formatClock(tomorrow, now), time(tomorrow));
});
