// views/timeline/window.js: the virtual list's arithmetic, plain and with a capped height.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_SCROLL_PX, OVERSCAN, ROW_HEIGHT, revealRow, scrollTopFor, virtualTop, windowAt } from "../../../ui/js/views/timeline/window.js";

const VIEW = 640; // ten rows of 64 px
const pick = (w) => [w.first, w.visibleFirst, w.visibleLast, w.last];

test("the constants the tests assume", () => {
  assert.equal(ROW_HEIGHT, 64);
  assert.equal(OVERSCAN, 6);
  assert.ok(1_000_000 * ROW_HEIGHT > MAX_SCROLL_PX);
});

describe("windowAt, uncapped (1000 rows)", () => {
  const cases = [
    // [name, scrollTop, [first, visibleFirst, visibleLast, last]]
    ["top", 0, [0, 0, 10, 16]],
    ["rubber band above the top", -50, [0, 0, 10, 16]],
    ["one row down: overscan clamped at 0", 64, [0, 1, 11, 17]],
    ["middle", 6400, [94, 100, 110, 116]],
    ["half a row: one more partly visible", 6432, [94, 100, 111, 117]],
    ["end", 1000 * 64 - VIEW, [984, 990, 1000, 1000]],
    ["past the end", 1000 * 64, [994, 1000, 1000, 1000]],
  ];
  for (const [name, scrollTop, want] of cases) {
    test(name, () => {
      const w = windowAt(1000, scrollTop, VIEW);
      assert.deepEqual(pick(w), want);
      assert.equal(w.height, 64_000);
      assert.equal(w.shift, 0);
    });
  }

  test("fewer rows than fit", () => {
    const w = windowAt(3, 0, VIEW);
    assert.deepEqual([...pick(w), w.height], [0, 0, 3, 3, 192]);
  });

  test("no rows", () => {
    const w = windowAt(0, 0, VIEW);
    assert.deepEqual([...pick(w), w.height], [0, 0, 0, 0, 0]);
  });

  test("custom row height and overscan", () => {
    assert.deepEqual(pick(windowAt(1000, 1000, 500, 100, 2)), [8, 10, 15, 17]);
    assert.deepEqual(pick(windowAt(1000, 1000, 500, 100, 0)), [10, 10, 15, 15]);
  });
});

describe("windowAt, capped (1,000,000 rows × 64 px)", () => {
  const TOTAL = 1_000_000;
  const maxTop = MAX_SCROLL_PX - VIEW;

  test("the scrollable height is capped", () => {
    assert.equal(windowAt(TOTAL, 0, VIEW).height, MAX_SCROLL_PX);
  });

  test("the top shows the first rows", () => {
    const w = windowAt(TOTAL, 0, VIEW);
    assert.deepEqual(pick(w), [0, 0, 10, 16]);
    assert.equal(w.shift, 0);
  });

  test("the max scrollTop shows the last row, placed at the bottom of the scrollable area", () => {
    const w = windowAt(TOTAL, maxTop, VIEW);
    assert.equal(w.visibleLast, TOTAL);
    assert.equal(w.last, TOTAL);
    assert.equal(w.visibleFirst, TOTAL - 10);
    const lastBottom = TOTAL * ROW_HEIGHT + w.shift;
    assert.ok(Math.abs(lastBottom - MAX_SCROLL_PX) < 1e-3, `last row ends at ${lastBottom}`);
    const firstTop = w.visibleFirst * ROW_HEIGHT + w.shift;
    assert.ok(Math.abs(firstTop - maxTop) < 1e-3, "the first visible row is at the top of the screen");
  });

  test("the middle of the scroll is the middle of the rows", () => {
    const w = windowAt(TOTAL, maxTop / 2, VIEW);
    assert.ok(Math.abs(w.visibleFirst - (TOTAL - 10) / 2) <= 1, `visibleFirst ${w.visibleFirst}`);
    assert.ok([10, 11].includes(w.visibleLast - w.visibleFirst), "ten rows, eleven when split");
  });

  test("rows on screen are placed on screen (index * height + shift within the viewport)", () => {
    for (const scrollTop of [1, 12_345.5, 3_999_999, maxTop - 1]) {
      const w = windowAt(TOTAL, scrollTop, VIEW);
      const top = w.visibleFirst * ROW_HEIGHT + w.shift - scrollTop;
      assert.ok(top <= 1e-6 && top > -ROW_HEIGHT, `at ${scrollTop}: first row at ${top}`);
    }
  });
});

describe("virtualTop / scrollTopFor", () => {
  for (const total of [1000, 1_000_000]) {
    test(`inverse of each other (${total} rows)`, () => {
      for (const index of [0, 1, 7, Math.floor(total / 3), total - 11, total - 10]) {
        const s = scrollTopFor(total, index, VIEW);
        const back = virtualTop(total, s, VIEW);
        assert.ok(Math.abs(back - index * ROW_HEIGHT) < 1e-3, `row ${index}: ${back} vs ${index * ROW_HEIGHT}`);
      }
    });

    test(`rows near the end clamp to the last scroll position (${total} rows)`, () => {
      const end = Math.min(total * ROW_HEIGHT, MAX_SCROLL_PX) - VIEW;
      for (const index of [total - 5, total - 1, total + 10]) assert.ok(Math.abs(scrollTopFor(total, index, VIEW) - end) < 1e-6);
      assert.equal(scrollTopFor(total, -3, VIEW), 0);
    });
  }

  test("uncapped, virtualTop is scrollTop (negative clamped to 0)", () => {
    assert.equal(virtualTop(1000, 1234, VIEW), 1234);
    assert.equal(virtualTop(1000, -5, VIEW), 0);
    assert.equal(scrollTopFor(1000, 100, VIEW), 6400);
  });
});

describe("revealRow", () => {
  const cases = [
    // [name, index, scrollTop, result]  (1000 rows; rows 100…109 on screen at 6400)
    ["first visible row", 100, 6400, null],
    ["last visible row", 109, 6400, null],
    ["just below: scrolls until it is the last on screen", 110, 6400, 101 * 64],
    ["far below", 500, 6400, 491 * 64],
    ["just above: scrolls until it is the first", 99, 6400, 99 * 64],
    ["far above", 0, 6400, 0],
    ["partly hidden at the top", 100, 6432, 6400],
    ["partly hidden at the bottom", 110, 6432, 101 * 64],
    ["below, at the end: as far as the end allows", 999, 0, 1000 * 64 - VIEW],
  ];
  for (const [name, index, scrollTop, want] of cases) {
    test(name, () => assert.equal(revealRow(1000, index, scrollTop, VIEW), want));
  }

  test("a viewport that is not a whole number of rows: the revealed row fits entirely", () => {
    const s = revealRow(1000, 200, 0, 600);
    assert.equal(s, (200 - 9 + 1) * 64);
    assert.ok(200 * 64 + 64 <= s + 600);
  });

  test("capped: a revealed row is then fully on screen", () => {
    const TOTAL = 1_000_000;
    for (const [index, from] of [[500_000, 0], [10, 4_000_000], [TOTAL - 1, 0]]) {
      const s = revealRow(TOTAL, index, from, VIEW);
      assert.notEqual(s, null);
      const top = virtualTop(TOTAL, s, VIEW);
      assert.ok(index * ROW_HEIGHT >= top - 1e-3 && index * ROW_HEIGHT + ROW_HEIGHT <= top + VIEW + 1e-3, `row ${index} at ${top}`);
    }
  });

  test("capped: a row in the middle of the screen needs no scroll", () => {
    const TOTAL = 1_000_000;
    const s = scrollTopFor(TOTAL, 400_000, VIEW);
    assert.equal(revealRow(TOTAL, 400_005, s, VIEW), null);
  });
});
