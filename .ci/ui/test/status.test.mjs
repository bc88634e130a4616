import assert from "node:assert/strict";
import { test } from "node:test";
import { isCountingDown, secondsUntil, statusLabel, statusText } from "../../../ui/js/status.js";

const NOW = 1_700_000_000_000;
const err = (message, hint) => ({ kind: "http", message, status: 503, hint });

const cases = [
  // [status, expected .feed-status text, expected chip label]
  [{ state: "connecting", attempt: 1 }, "Connecting…", "Connecting…"],
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
  [{ state: "stopped", reason: "user" }, "Stopped", "Stopped"],
  [{ state: "warpDrive" }, "warpDrive", "Unknown"],
  [undefined, "Unknown", "Unknown"],
];

for (const [status, text, label] of cases) {
  test(`status ${status?.state ?? "missing"} reads "${text}"`, () => {
    assert.equal(statusText(status, NOW), text);
    assert.equal(statusLabel(status), label);
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
