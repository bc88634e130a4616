import assert from "node:assert/strict";
import { test } from "node:test";
import { count, dayLabel, eventType, plural, sameDay } from "../../../ui/js/format.js";

test("an empty event type reads as message", () => {
  assert.equal(eventType(""), "message");
  assert.equal(eventType("message"), "message");
  assert.equal(eventType("deploy"), "deploy");
});

test("plural", () => {
  assert.equal(plural(0, "event"), "0 events");
  assert.equal(plural(1, "event"), "1 event");
  assert.equal(plural(2, "event"), "2 events");
});

// Local dates, built with the local constructor so the tests hold in any time zone.
const at = (y, m, d, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();

const days = [
  // [name, event time, now, label: "Today", "Yesterday", "date" (this year) or "date+year"]
  ["same moment", at(2024, 3, 14), at(2024, 3, 14), "Today"],
  ["just after midnight today", at(2024, 3, 14, 0, 1), at(2024, 3, 14, 23, 59), "Today"],
  ["late yesterday", at(2024, 3, 13, 23, 59), at(2024, 3, 14, 0, 1), "Yesterday"],
  ["yesterday across a month", at(2024, 2, 29, 8), at(2024, 3, 1, 8), "Yesterday"],
  ["yesterday across a year", at(2023, 12, 31, 8), at(2024, 1, 1, 8), "Yesterday"],
  ["two days ago", at(2024, 3, 12), at(2024, 3, 14), "date"],
  ["earlier this year", at(2024, 1, 2), at(2024, 3, 14), "date"],
  ["last year", at(2023, 3, 14), at(2024, 3, 14), "date+year"],
];
for (const [name, ms, now, want] of days) {
  test(`dayLabel: ${name}`, () => {
    const label = dayLabel(ms, now);
    if (want === "Today" || want === "Yesterday") return assert.equal(label, want);
    const year = String(new Date(ms).getFullYear());
    assert.notEqual(label, "Today");
    assert.notEqual(label, "Yesterday");
    assert.equal(label.includes(year), want === "date+year", label);
  });
}

test("sameDay", () => {
  assert.equal(sameDay(at(2024, 3, 14, 0, 0), at(2024, 3, 14, 23, 59)), true);
  assert.equal(sameDay(at(2024, 3, 14, 23, 59), at(2024, 3, 15, 0, 0)), false);
  assert.equal(sameDay(at(2023, 3, 14), at(2024, 3, 14)), false);
});

test("count uses the locale's grouping", () => {
  assert.equal(count(0), "0");
  assert.equal(count(1234567), (1234567).toLocaleString());
  assert.equal(count(12), "12");
});
