import assert from "node:assert/strict";
import { test } from "node:test";
import { COLLAPSE_CHARS, COLLAPSE_LINES, eventType, headerNames, isLongData, plural } from "../../../ui/js/format.js";

const long = [
  // [name, data, collapsed?]
  ["empty", "", false],
  ["one line", "hello", false],
  ["exactly the line limit", Array(COLLAPSE_LINES).fill("x").join("\n"), false],
  ["one line over", Array(COLLAPSE_LINES + 1).fill("x").join("\n"), true],
  ["exactly the char limit", "x".repeat(COLLAPSE_CHARS), false],
  ["one char over", "x".repeat(COLLAPSE_CHARS + 1), true],
];
for (const [name, data, want] of long) {
  test(`isLongData: ${name}`, () => {
    assert.equal(isLongData(data), want);
  });
}

test("headerNames lists the names", () => {
  assert.equal(headerNames(["Authorization", "X-Api-Key"]), "Authorization, X-Api-Key");
  assert.equal(headerNames([]), "");
  assert.equal(headerNames(undefined), "");
});

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
