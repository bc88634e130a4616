// state/settings.js (times, whole numbers, outcomes) and state/search.js (search terms).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as search from "../../../ui/js/state/search.js";
import * as settings from "../../../ui/js/state/settings.js";

describe("timeOfDay / minutesOf", () => {
  const times = [
    // [minutes, "HH:MM"]
    [0, "00:00"],
    [1, "00:01"],
    [61, "01:01"],
    [9 * 60 + 30, "09:30"],
    [1439, "23:59"],
    [1440, "00:00"],
    [1500, "01:00"],
    [-1, "23:59"],
    [90.4, "01:30"],
  ];
  for (const [minutes, want] of times) {
    test(`timeOfDay(${minutes}) = ${want}`, () => assert.equal(settings.timeOfDay(minutes), want));
  }

  test("every minute of the day round-trips", () => {
    for (let m = 0; m < 1440; m++) assert.equal(settings.minutesOf(settings.timeOfDay(m)), m);
  });

  const texts = [
    // [text, minutes or null]
    ["07:05", 425],
    ["7:05", 425],
    [" 23:59 ", 1439],
    ["00:00", 0],
    ["24:00", null],
    ["12:60", null],
    ["12", null],
    ["12:5", null],
    ["12:30:00", null],
    ["", null],
    ["ab:cd", null],
    ["-1:00", null],
    ["123:00", null],
  ];
  for (const [text, want] of texts) {
    test(`minutesOf(${JSON.stringify(text)}) = ${want}`, () => assert.equal(settings.minutesOf(text), want));
  }
});

describe("wholeNumber", () => {
  const limit = { min: 1, max: 1000, empty: null };
  const required = { min: 5, max: 60, empty: 10 };
  const cases = [
    // [text, range, value or "error"]
    ["", limit, null],
    ["  ", limit, null],
    ["", required, 10],
    ["1", limit, 1],
    [" 1000 ", limit, 1000],
    ["0", limit, "error"],
    ["1001", limit, "error"],
    ["2.5", limit, "error"],
    ["1e2", limit, 100],
    ["abc", limit, "error"],
    ["-5", limit, "error"],
    ["4", required, "error"],
    ["60", required, 60],
  ];
  for (const [text, range, want] of cases) {
    test(`wholeNumber(${JSON.stringify(text)}, ${range.min}…${range.max}) → ${want}`, () => {
      const r = settings.wholeNumber(text, range);
      if (want === "error") {
        assert.ok("error" in r);
        assert.match(r.error, new RegExp(`from ${range.min} to ${range.max}`));
      } else assert.deepEqual(r, { value: want });
    });
  }

  test("the error mentions 'empty for no limit' only where empty means no limit", () => {
    assert.match(settings.wholeNumber("x", limit).error, /no limit/);
    assert.doesNotMatch(settings.wholeNumber("x", required).error, /no limit/);
  });
});

describe("settings slice", () => {
  test("setLoaded takes the theme from the general settings", () => {
    const general = { retention: { maxEvents: null, maxAgeDays: 30 }, theme: "dark" };
    const s = settings.setLoaded(settings.initial(), { general });
    assert.equal(s.theme, "dark");
    assert.equal(s.general, general);
    assert.equal(settings.setLoaded(s, { health: { problem: null } }).theme, "dark");
  });

  test("setOutcome sets per section; null clears", () => {
    let s = settings.setOutcome(settings.initial(), "quiet", { ok: true, text: "Saved." });
    s = settings.setOutcome(s, "flood", { ok: false, text: "No." });
    assert.deepEqual(s.outcomes, { quiet: { ok: true, text: "Saved." }, flood: { ok: false, text: "No." } });
    assert.deepEqual(settings.setOutcome(s, "quiet", null).outcomes, { flood: { ok: false, text: "No." } });
  });
});

describe("searchTerms", () => {
  const cases = [
    // [typed, terms]
    ["", []],
    ["   ", []],
    ["disk", ["disk"]],
    ["Disk FULL", ["disk", "full"]],
    ["full disk full", ["full", "disk"]],
    ['"disk full" OR cpu', ["disk", "full", "cpu"]],
    ["NOT error and warn", ["error", "warn"]],
    ["near nearby", ["nearby"]],
    ["pre* (a+b) c:d ^e x-y", ["pre", "a", "b", "c", "d", "e", "x", "y"]],
    ["it's", ["it", "s"]],
    ["a deployment ok", ["deployment", "ok", "a"]],
    ["Ünïcode ÉTÉ", ["ünïcode", "été"]],
  ];
  for (const [typed, want] of cases) {
    test(`searchTerms(${JSON.stringify(typed)})`, () => assert.deepEqual(search.searchTerms(typed), want));
  }

  test("setText keeps the text and its terms; the same text returns the same slice", () => {
    const s = search.setText(search.initial(), "Disk");
    assert.deepEqual(s, { text: "Disk", terms: ["disk"] });
    assert.equal(search.setText(s, "Disk"), s);
  });
});
