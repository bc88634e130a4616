// state/timeline.js: the rows the timeline can show, by position, from live rows and pages.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../../ui/js/state/timeline.js";
import { ev, rows, seqs } from "../support/fixtures.mjs";

const { PAGE, MAX_PAGES } = tl;

/** A timeline loaded with `firstPage` (newest first) and `count` stored rows. */
function loadedWith(firstPage, count = firstPage.length, filter = tl.NO_FILTER) {
  const t = tl.reload(tl.initial(), filter);
  return tl.loaded(t, t.generation, firstPage, count);
}

describe("reload / loaded", () => {
  test("reload starts over: a new generation, loading, nothing kept but the selection", () => {
    let t = loadedWith(rows(10, 3));
    t = tl.addLive(tl.select(t, 9), [ev(11)]);
    const filter = { ...tl.NO_FILTER, feed: "a" };
    const r = tl.reload(t, filter);
    assert.equal(r.generation, t.generation + 1);
    assert.equal(r.status, "loading");
    assert.equal(r.filter, filter);
    assert.deepEqual([r.anchor, r.count, r.live, r.pages.size, r.fresh], [0, 0, [], 0, 0]);
    assert.equal(r.selected, 9);
  });

  test("loaded: the anchor is one past the first row, page 0 holds the first page", () => {
    const t = loadedWith(rows(10, 3), 250);
    assert.equal(t.status, "ready");
    assert.equal(t.anchor, 11);
    assert.equal(t.count, 250);
    assert.deepEqual(seqs(t.pages.get(0)), [10, 9, 8]);
    assert.equal(tl.total(t), 250);
  });

  test("loaded with no rows: anchor 0, count 0", () => {
    const t = loadedWith([], 0);
    assert.deepEqual([t.status, t.anchor, t.count, tl.total(t)], ["ready", 0, 0, 0]);
  });

  test("a count below the first page's length is raised to it", () => {
    assert.equal(loadedWith(rows(10, 3), 1).count, 3);
  });

  test("live rows that arrived while loading: those below the anchor are dropped, newer kept", () => {
    let t = tl.reload(tl.initial(), tl.NO_FILTER);
    t = tl.addLive(t, [ev(9), ev(10), ev(11)]);
    assert.deepEqual(seqs(t.live), [11, 10, 9]);
    t = tl.loaded(t, t.generation, rows(10, 3), 3);
    assert.deepEqual(seqs(t.live), [11]);
    assert.equal(tl.total(t), 4);
    assert.deepEqual([0, 1, 2, 3].map((i) => tl.rowAt(t, i)?.seq), [11, 10, 9, 8]);
  });

  test("answers for an older generation are ignored (same object back)", () => {
    const old = tl.reload(tl.initial(), tl.NO_FILTER);
    const t = tl.reload(old, { ...tl.NO_FILTER, feed: "b" });
    const stale = old.generation;
    assert.equal(tl.loaded(t, stale, rows(5, 2), 2), t);
    assert.equal(tl.failed(t, stale), t);
    const ready = tl.loaded(t, t.generation, rows(5, 2), 300);
    assert.equal(tl.pageLoaded(ready, stale, 1, rows(3, 100)), ready);
    assert.equal(tl.failed(t, t.generation).status, "failed");
  });
});

describe("matches", () => {
  const cases = [
    // [name, filter change, event change, matches?]
    ["no filter", {}, {}, true],
    ["same feed", { feed: "f1" }, {}, true],
    ["other feed", { feed: "f2" }, {}, false],
    ["same type", { type: "deploy" }, { type: "deploy" }, true],
    ["other type", { type: "deploy" }, { type: "alert" }, false],
    ["empty type is message", { type: "message" }, { type: "" }, true],
    ["unread only, unread event", { unread: true }, { read: false }, true],
    ["unread only, read event", { unread: true }, { read: true }, false],
    ["a search never decides here", { text: "disk" }, {}, false],
    ["blank search is no search", { text: "   " }, {}, true],
  ];
  for (const [name, filter, extra, want] of cases) {
    test(name, () => assert.equal(tl.matches({ ...tl.NO_FILTER, ...filter }, ev(1, extra)), want));
  }
});

describe("addLive", () => {
  test("a batch (oldest first) goes on top newest first", () => {
    const t = tl.addLive(loadedWith(rows(10, 2)), [ev(11), ev(12)]);
    assert.deepEqual(seqs(t.live), [12, 11]);
    assert.deepEqual([0, 1, 2, 3].map((i) => tl.rowAt(t, i).seq), [12, 11, 10, 9]);
  });

  test("dedupes by seq: rows already on top or in the store are dropped", () => {
    let t = tl.addLive(loadedWith(rows(10, 2)), [ev(11), ev(12)]);
    t = tl.addLive(t, [ev(9), ev(10), ev(11), ev(12), ev(13)]);
    assert.deepEqual(seqs(t.live), [13, 12, 11]);
  });

  test("nothing new and no new type: the same object", () => {
    const t = tl.addLive(loadedWith(rows(10, 2)), [ev(11)]);
    assert.equal(tl.addLive(t, [ev(11), ev(10)]), t);
    assert.equal(tl.addLive(t, []), t);
  });

  const filtered = [
    // [filter change, batch, seqs added]
    [{ feed: "a" }, [ev(11, { feedId: "a" }), ev(12, { feedId: "b" }), ev(13, { feedId: "a" })], [13, 11]],
    [{ type: "deploy" }, [ev(11, { type: "deploy" }), ev(12, { type: "alert" }), ev(13, { type: "" })], [11]],
    [{ type: "message" }, [ev(11, { type: "deploy" }), ev(12, { type: "" })], [12]],
    [{ unread: true }, [ev(11, { read: true }), ev(12)], [12]],
  ];
  for (const [filter, batch, want] of filtered) {
    test(`only rows matching ${JSON.stringify(filter)} are added`, () => {
      const t = tl.addLive(loadedWith([], 0, { ...tl.NO_FILTER, ...filter }), batch);
      assert.deepEqual(seqs(t.live), want);
    });
  }

  test("new types are collected (sorted) even from rows that do not match", () => {
    const t = tl.addLive(loadedWith(rows(10, 1), 1, { ...tl.NO_FILTER, feed: "a" }), [ev(11, { feedId: "b", type: "zeta" }), ev(12, { type: "alpha" })]);
    assert.deepEqual(t.types, ["alpha", "message", "zeta"]);
    assert.deepEqual(t.live, []);
  });

  test("`fresh` counts only while scrolled away, and resets when a batch comes at the top", () => {
    let t = loadedWith(rows(10, 1));
    t = tl.addLive(t, [ev(11)]);
    assert.equal(t.fresh, 0);
    t = tl.setAway(t, true);
    t = tl.addLive(t, [ev(12), ev(13)]);
    t = tl.addLive(t, [ev(14)]);
    assert.equal(t.fresh, 3);
    t = tl.setAway(t, false);
    assert.equal(t.fresh, 0);
  });

  test("during a search nothing is added, but new rows count in `fresh` (away or not)", () => {
    let t = loadedWith(rows(10, 2), 2, { ...tl.NO_FILTER, text: "disk" });
    t = tl.addLive(t, [ev(11), ev(12)]);
    assert.deepEqual(t.live, []);
    assert.equal(tl.total(t), 2);
    assert.equal(t.fresh, 2);
    t = tl.setAway(tl.setAway(t, true), false);
    assert.equal(t.fresh, 2, "scrolling to the top does not show them: the pill stays");
  });

  test("during a search with a feed filter, events of other feeds do not count", () => {
    let t = loadedWith(rows(10, 2), 2, { ...tl.NO_FILTER, feed: "a", text: "disk" });
    t = tl.addLive(t, [ev(11, { feedId: "a" }), ev(12, { feedId: "b" }), ev(13, { feedId: "a" })]);
    assert.equal(t.fresh, 2);
  });

  test("during a search, rows already in the store do not count", () => {
    let t = loadedWith(rows(10, 2), 2, { ...tl.NO_FILTER, text: "disk" });
    t = tl.addLive(t, [ev(9), ev(10), ev(11)]);
    assert.equal(t.fresh, 1);
  });
});

describe("positions across live rows and pages", () => {
  // 2 live rows on top of 350 stored ones; pages 0 and 2 loaded, 1 and 3 not.
  function sample() {
    let t = loadedWith(rows(1000, PAGE), 350);
    t = tl.pageLoaded(t, t.generation, 2, rows(800, PAGE));
    return tl.addLive(t, [ev(1001), ev(1002)]);
  }

  test("rowAt", () => {
    const t = sample();
    const cases = [
      // [index, seq or undefined]
      [0, 1002],
      [1, 1001],
      [2, 1000],
      [2 + 99, 901],
      [2 + 100, undefined],
      [2 + 199, undefined],
      [2 + 200, 800],
      [2 + 299, 701],
      [2 + 300, undefined],
      [2 + 349, undefined],
    ];
    for (const [index, want] of cases) assert.equal(tl.rowAt(t, index)?.seq, want, `row ${index}`);
    assert.equal(tl.total(t), 352);
  });

  test("missingPages", () => {
    const t = sample();
    const cases = [
      // [first, last, pages]
      [0, 2, []],
      [0, 20, []],
      [0, 102, []],
      [0, 103, [1]],
      [50, 150, [1]],
      [102, 302, [1]],
      [150, 352, [1, 3]],
      [300, 400, [3]],
      [352, 400, []],
      [500, 600, []],
      [30, 30, []],
      [40, 30, []],
    ];
    for (const [first, last, want] of cases) assert.deepEqual(tl.missingPages(t, first, last), want, `${first}…${last}`);
  });

  test("indexOf finds loaded rows only", () => {
    const t = sample();
    const cases = [
      [1002, 0],
      [1001, 1],
      [1000, 2],
      [901, 101],
      [800, 202],
      [701, 301],
      [850, -1],
      [5, -1],
    ];
    for (const [seq, want] of cases) assert.equal(tl.indexOf(t, seq), want, `seq ${seq}`);
  });

  test(`pageLoaded keeps at most ${MAX_PAGES} pages, forgetting the farthest from the new one`, () => {
    let t = loadedWith(rows(100_000, PAGE), 100 * PAGE);
    for (let p = 1; p <= MAX_PAGES; p++) t = tl.pageLoaded(t, t.generation, p, rows(100_000 - p * PAGE, PAGE));
    assert.equal(t.pages.size, MAX_PAGES);
    assert.ok(!t.pages.has(0), "page 0 was the farthest from page 24");
    assert.ok(t.pages.has(1) && t.pages.has(MAX_PAGES));
    t = tl.pageLoaded(t, t.generation, 30, rows(100_000 - 30 * PAGE, PAGE));
    assert.equal(t.pages.size, MAX_PAGES);
    assert.deepEqual([...t.pages.keys()].sort((a, b) => a - b), [...Array.from({ length: MAX_PAGES - 1 }, (_, i) => i + 2), 30]);
  });

  test("scrolling back up keeps the pages near the new one, the far end goes", () => {
    let t = loadedWith(rows(100_000, PAGE), 100 * PAGE);
    for (let p = 30; p < 30 + MAX_PAGES - 1; p++) t = tl.pageLoaded(t, t.generation, p, rows(100_000 - p * PAGE, PAGE));
    assert.equal(t.pages.size, MAX_PAGES);
    t = tl.pageLoaded(t, t.generation, 1, rows(100_000 - PAGE, PAGE));
    assert.equal(t.pages.size, MAX_PAGES);
    assert.ok(t.pages.has(0) && t.pages.has(1), "the pages next to the new one stay");
    assert.ok(!t.pages.has(30 + MAX_PAGES - 2), "the farthest page went");
  });
});

describe("patch, select, setAway", () => {
  test("patch changes the picked rows and leaves everything else the same objects", () => {
    let t = loadedWith(rows(1000, PAGE), 300);
    t = tl.pageLoaded(t, t.generation, 1, rows(900, PAGE));
    t = tl.addLive(t, [ev(1001)]);
    const p = tl.patch(t, (e) => e.seq === 850, (e) => ({ ...e, read: true }));
    assert.notEqual(p, t);
    assert.equal(p.live, t.live);
    assert.equal(p.pages.get(0), t.pages.get(0));
    assert.notEqual(p.pages.get(1), t.pages.get(1));
    assert.equal(tl.rowAt(p, tl.indexOf(p, 850)).read, true);
    assert.equal(t.pages.get(1)[50].read, false, "the old slice is not mutated");
    const row849 = p.pages.get(1)[51];
    assert.equal(row849, t.pages.get(1)[51], "rows not picked stay the same objects");
  });

  test("patch picking nothing returns the same slice", () => {
    const t = tl.addLive(loadedWith(rows(10, 5)), [ev(11)]);
    assert.equal(tl.patch(t, (e) => e.seq === 999, (e) => ({ ...e, read: true })), t);
  });

  test("patch of a live row only", () => {
    const t = tl.addLive(loadedWith(rows(10, 5)), [ev(11)]);
    const p = tl.patch(t, (e) => e.seq === 11, (e) => ({ ...e, silenced: true }));
    assert.equal(p.live[0].silenced, true);
    assert.equal(p.pages.get(0), t.pages.get(0));
  });

  test("select the selected row again returns the same slice", () => {
    const t = tl.select(loadedWith(rows(10, 5)), 8);
    assert.equal(t.selected, 8);
    assert.equal(tl.select(t, 8), t);
    assert.equal(tl.select(t, null).selected, null);
  });

  test("setAway: the same value returns the same slice; back to the top clears the pill", () => {
    let t = tl.setAway(loadedWith(rows(10, 1)), true);
    assert.equal(tl.setAway(t, true), t);
    t = tl.addLive(t, [ev(11), ev(12)]);
    assert.equal(t.fresh, 2);
    const top = tl.setAway(t, false);
    assert.deepEqual([top.away, top.fresh], [false, 0]);
  });
});
