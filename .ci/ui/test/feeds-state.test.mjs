// state/feeds.js: the feed list, statuses (which may come first), unread counts, mutes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as feeds from "../../../ui/js/state/feeds.js";
import { ev, feed } from "../support/fixtures.mjs";

const LIVE = { state: "live", since: 5 };
const PAUSED = { state: "stopped", reason: "user" };

describe("list and statuses", () => {
  test("setList keeps the backend's order and takes each feed's status", () => {
    const f = feeds.setList(feeds.initial(), [feed("b", { status: LIVE }), feed("a")]);
    assert.deepEqual(f.ids, ["b", "a"]);
    assert.equal(f.loaded, true);
    assert.deepEqual(f.statuses.get("b"), LIVE);
    assert.equal(f.byId.get("a").name, "Feed a");
  });

  test("setStatus before the list keeps the status; byId stays as it was", () => {
    const start = feeds.initial();
    const f = feeds.setStatus(start, "a", LIVE);
    assert.deepEqual(f.statuses.get("a"), LIVE);
    assert.equal(f.byId, start.byId);
    assert.equal(f.loaded, false);
  });

  test("setStatus of a listed feed updates both its entry and the statuses", () => {
    const f = feeds.setStatus(feeds.setList(feeds.initial(), [feed("a")]), "a", PAUSED);
    assert.deepEqual(f.byId.get("a").status, PAUSED);
    assert.deepEqual(f.statuses.get("a"), PAUSED);
  });

  test("upsert of a known feed keeps the newer status that came by event", () => {
    let f = feeds.setList(feeds.initial(), [feed("a"), feed("b")]);
    f = feeds.setStatus(f, "a", LIVE);
    f = feeds.upsert(f, feed("a", { name: "Renamed", status: { state: "connecting", attempt: 1 } }));
    assert.deepEqual(f.ids, ["a", "b"]);
    assert.equal(f.byId.get("a").name, "Renamed");
    assert.deepEqual(f.byId.get("a").status, LIVE);
    assert.deepEqual(f.statuses.get("a"), LIVE);
  });

  test("upsert of a new feed appends it with its own status", () => {
    const f = feeds.upsert(feeds.setList(feeds.initial(), [feed("a")]), feed("c", { status: PAUSED }));
    assert.deepEqual(f.ids, ["a", "c"]);
    assert.deepEqual(f.statuses.get("c"), PAUSED);
  });

  test("remove forgets the feed everywhere; an unknown id changes nothing", () => {
    let f = feeds.setList(feeds.initial(), [feed("a"), feed("b")]);
    f = feeds.setUnread(f, { a: 3, b: 1 });
    f = feeds.setMute(f, "a", { kind: "forever" });
    assert.equal(feeds.remove(f, "zzz"), f);
    const r = feeds.remove(f, "a");
    assert.deepEqual(r.ids, ["b"]);
    for (const map of [r.byId, r.statuses, r.unread, r.mutes]) assert.ok(!map.has("a"));
    assert.equal(r.unread.get("b"), 1);
    assert.ok(f.byId.has("a"), "the old slice is not mutated");
  });
});

describe("unread counts", () => {
  test("setUnread drops zeros; totalUnread sums", () => {
    const f = feeds.setUnread(feeds.initial(), { a: 2, b: 0, c: 5 });
    assert.deepEqual([...f.unread], [["a", 2], ["c", 5]]);
    assert.equal(feeds.totalUnread(f), 7);
    assert.equal(feeds.totalUnread(feeds.initial()), 0);
  });

  test("countNew adds one per unread event to its feed; read events do not count", () => {
    let f = feeds.setUnread(feeds.initial(), { a: 2 });
    f = feeds.countNew(f, [ev(1, { feedId: "a" }), ev(2, { feedId: "b" }), ev(3, { feedId: "a", read: true }), ev(4, { feedId: "b" })]);
    assert.deepEqual(Object.fromEntries(f.unread), { a: 3, b: 2 });
    assert.equal(feeds.totalUnread(f), 5);
  });

  test("countNew with nothing unread returns the same slice", () => {
    const f = feeds.initial();
    assert.equal(feeds.countNew(f, []), f);
    assert.equal(feeds.countNew(f, [ev(1, { read: true })]), f);
  });
});

describe("mutes", () => {
  const NOW = 1_000_000;

  test("setMutes keeps the rules' mutes that are not off", () => {
    const f = feeds.setMutes(feeds.initial(), {
      a: { mute: { kind: "forever" } },
      b: { mute: { kind: "off" } },
      c: {},
      d: { mute: { kind: "until", untilMs: NOW + 5 } },
    });
    assert.deepEqual([...f.mutes.keys()], ["a", "d"]);
    assert.equal(feeds.setMutes(f, undefined).mutes.size, 0);
  });

  test("setMute sets, and off removes", () => {
    let f = feeds.setMute(feeds.initial(), "a", { kind: "until", untilMs: NOW });
    assert.deepEqual(f.mutes.get("a"), { kind: "until", untilMs: NOW });
    f = feeds.setMute(f, "a", { kind: "off" });
    assert.ok(!f.mutes.has("a"));
  });

  const cases = [
    // [mute, in force at NOW?]
    [undefined, false],
    [{ kind: "off" }, false],
    [{ kind: "forever" }, true],
    [{ kind: "until", untilMs: NOW + 1 }, true],
    [{ kind: "until", untilMs: NOW }, false],
    [{ kind: "until", untilMs: NOW - 1 }, false],
  ];
  for (const [mute, want] of cases) {
    test(`isMuted ${JSON.stringify(mute)} → ${want}`, () => assert.equal(feeds.isMuted(mute, NOW), want));
  }
});
