// actions/timeline.js: loading, paging, searching, reading, live batches, against a fake ipc.js.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { READ_FLUSH_MS, SEARCH_DELAY_MS } from "../../../ui/js/actions/timeline.js";
import { LIVE_CAP, PAGE, rowAt } from "../../../ui/js/state/timeline.js";
import { fail, setupActions } from "../support/fake-api.mjs";
import { deferred, ev, rows, seqs, settle } from "../support/fixtures.mjs";

/** A list_events that answers the first page with `first` and queues every other request. */
function pagedStore(first) {
  const requests = [];
  return {
    requests,
    listEvents: (q) => {
      if (q.before === undefined) return first;
      const d = deferred();
      requests.push({ query: q, ...d });
      return d.promise;
    },
  };
}

describe("reload", () => {
  test("a short first page is everything: list_events only", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: [ev(3), ev(2)] });
    await actions.timeline.reload();
    assert.deepEqual(fake.names(), ["listEvents"]);
    assert.deepEqual(fake.argsOf("listEvents"), [[{ limit: PAGE }]]);
    assert.deepEqual([state().timeline.count, state().timeline.anchor], [2, 4]);
  });

  test("a full first page: count_events for what lies below the first row (before = first seq + 1)", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: rows(1000, PAGE), countEvents: 350 });
    await actions.timeline.reload();
    assert.deepEqual(fake.names(), ["listEvents", "countEvents"]);
    assert.deepEqual(fake.argsOf("countEvents"), [[{ before: 1001 }]]);
    assert.deepEqual([state().timeline.count, state().timeline.anchor, state().timeline.status], [350, 1001, "ready"]);
  });

  test("the filter goes into both queries; the search text trimmed", async () => {
    const { actions, fake, timers } = await setupActions({ listEvents: rows(50, PAGE), countEvents: 120 });
    await actions.timeline.setFilter({ feed: "a", type: "deploy", unread: true });
    actions.timeline.search("  disk  ");
    timers.run();
    await settle();
    const q = { feed: "a", type: "deploy", unread: true };
    assert.deepEqual(fake.argsOf("listEvents"), [[{ ...q, limit: PAGE }], [{ ...q, text: "disk", limit: PAGE }]]);
    assert.deepEqual(fake.argsOf("countEvents"), [[{ ...q, before: 51 }], [{ ...q, text: "disk", before: 51 }]]);
  });

  test("a failed load marks the timeline failed and says why", async () => {
    const { actions, state } = await setupActions({ listEvents: fail("io", "database locked") });
    await actions.timeline.reload();
    assert.equal(state().timeline.status, "failed");
    assert.equal(state().app.notices.at(-1).message, "Could not load events: database locked");
  });

  test("answers for an older reload are ignored", async () => {
    const answers = [];
    const { actions, state } = await setupActions({
      listEvents: () => {
        const d = deferred();
        answers.push(d);
        return d.promise;
      },
    });
    const first = actions.timeline.setFilter({ feed: "a" });
    const second = actions.timeline.setFilter({ feed: "b" });
    answers[1].resolve([ev(5, { feedId: "b" })]);
    await second;
    answers[0].resolve([ev(9, { feedId: "a" })]);
    await first;
    assert.equal(state().timeline.filter.feed, "b");
    assert.deepEqual(seqs(state().timeline.pages.get(0)), [5]);
  });
});

describe("ensureRows", () => {
  async function loaded() {
    const paged = pagedStore(rows(1000, PAGE));
    const s = await setupActions({ listEvents: paged.listEvents, countEvents: 350 });
    await s.actions.timeline.reload();
    s.fake.clear();
    return { ...s, paged };
  }

  test("requests each missing page once, from the anchor by offset", async () => {
    const { actions, fake, paged, state } = await loaded();
    actions.timeline.ensureRows(0, 350);
    actions.timeline.ensureRows(150, 350);
    assert.deepEqual(fake.argsOf("listEvents"), [
      [{ before: 1001, offset: 100, limit: PAGE }],
      [{ before: 1001, offset: 200, limit: PAGE }],
      [{ before: 1001, offset: 300, limit: PAGE }],
    ]);
    paged.requests[0].resolve(rows(900, PAGE));
    await settle();
    assert.equal(rowAt(state().timeline, 100).seq, 900);
    assert.equal(rowAt(state().timeline, 199).seq, 801);
    actions.timeline.ensureRows(100, 200);
    assert.equal(fake.argsOf("listEvents").length, 3, "a loaded page is not asked again");
  });

  test("nothing is requested before the first page is there, nor for loaded rows", async () => {
    const list = deferred();
    const { actions, fake } = await setupActions({ listEvents: () => list.promise });
    const reloading = actions.timeline.reload();
    fake.clear();
    actions.timeline.ensureRows(0, 500);
    assert.deepEqual(fake.calls, []);
    list.resolve(rows(10, 5));
    await reloading;
    actions.timeline.ensureRows(0, 5);
    assert.deepEqual(fake.names(), []);
  });

  test("a reload makes late answers of the old generation ignored, and asks again", async () => {
    const { actions, fake, paged, state } = await loaded();
    actions.timeline.ensureRows(100, 300);
    assert.equal(paged.requests.length, 2);
    await actions.timeline.reload();
    fake.clear();
    actions.timeline.ensureRows(100, 300);
    assert.deepEqual(fake.argsOf("listEvents").map(([q]) => q.offset), [100, 200], "the new generation asks again at once");
    paged.requests[0].resolve(rows(900, PAGE));
    paged.requests[1].resolve(rows(800, PAGE));
    await settle();
    assert.deepEqual([...state().timeline.pages.keys()], [0], "old answers were dropped");
    paged.requests[2].resolve(rows(900, PAGE));
    await settle();
    assert.deepEqual([...state().timeline.pages.keys()], [0, 1]);
  });

  test("a failed page is reported and asked again next time", async () => {
    const { actions, fake, paged, state } = await loaded();
    actions.timeline.ensureRows(100, 150);
    paged.requests[0].reject({ code: "io", message: "busy" });
    await settle();
    assert.equal(state().app.notices.at(-1).message, "Could not load events: busy");
    actions.timeline.ensureRows(100, 150);
    assert.equal(fake.argsOf("listEvents").length, 2);
  });
});

describe("search", () => {
  test(`debounced: one reload ${SEARCH_DELAY_MS} ms after the last keystroke, with the text`, async () => {
    const { actions, fake, state, timers } = await setupActions();
    actions.timeline.search("d");
    actions.timeline.search("di");
    actions.timeline.search("Disk");
    assert.deepEqual(fake.calls, []);
    assert.deepEqual(timers.pending, [SEARCH_DELAY_MS], "earlier timers were cancelled");
    assert.deepEqual(state().search, { text: "Disk", terms: ["disk"] });
    timers.run();
    await settle();
    assert.deepEqual(fake.argsOf("listEvents"), [[{ text: "Disk", limit: PAGE }]]);
    assert.equal(state().timeline.filter.text, "Disk");
  });

  test("clearing the search reloads without text", async () => {
    const { actions, fake, timers } = await setupActions();
    actions.timeline.search("disk");
    timers.run();
    actions.timeline.search("");
    timers.run();
    await settle();
    assert.deepEqual(fake.argsOf("listEvents"), [[{ text: "disk", limit: PAGE }], [{ limit: PAGE }]]);
  });
});

describe("reading", () => {
  async function loaded(extra = {}) {
    const s = await setupActions({ listEvents: [ev(3, { feedId: "a" }), ev(2, { feedId: "b", read: true }), ev(1, { feedId: "a" })], unreadCounts: { a: 1 }, ...extra });
    await s.actions.timeline.reload();
    s.fake.clear();
    return s;
  }

  test("select opens the event and marks it read: at once on screen, in the store after the flush timer", async () => {
    const { actions, fake, state, timers } = await loaded();
    actions.timeline.select(3);
    assert.equal(state().timeline.selected, 3);
    assert.equal(rowAt(state().timeline, 0).read, true);
    assert.deepEqual(fake.calls, [], "not yet");
    assert.deepEqual(timers.pending, [READ_FLUSH_MS]);
    timers.run();
    await settle();
    assert.deepEqual(fake.names(), ["markRead", "unreadCounts"]);
    assert.deepEqual(fake.argsOf("markRead"), [[{ seq: 3 }]]);
    assert.deepEqual(Object.fromEntries(state().feeds.unread), { a: 1 });
  });

  test("selecting a read row, or closing, marks nothing", async () => {
    const { actions, timers, state } = await loaded();
    actions.timeline.select(2);
    actions.timeline.select(null);
    assert.deepEqual(timers.pending, []);
    assert.equal(state().timeline.selected, null);
  });

  test("rows scrolled past and opened within one flush: one timer, each seq marked once", async () => {
    const { actions, fake, state, timers } = await loaded();
    const [r3, r2, r1] = state().timeline.pages.get(0);
    actions.timeline.passed([r3, r2, r1]);
    actions.timeline.select(1);
    actions.timeline.passed([r3]);
    assert.deepEqual(timers.pending, [READ_FLUSH_MS]);
    timers.run();
    await settle();
    assert.deepEqual(fake.argsOf("markRead").map(([w]) => w.seq).sort(), [1, 3]);
    assert.deepEqual(fake.argsOf("unreadCounts").length, 1);
  });

  test("a failed mark is reported; the counts are refetched anyway", async () => {
    const { actions, fake, state, timers } = await loaded({ markRead: fail("io", "readonly") });
    actions.timeline.select(3);
    timers.run();
    await settle();
    assert.equal(state().app.notices.at(-1).message, "Could not mark events read: readonly");
    assert.ok(fake.names().includes("unreadCounts"));
  });

  test("markAllRead for the shown feed: mark_read with its id, its rows read, counts refetched", async () => {
    const { actions, fake, state } = await loaded();
    await actions.timeline.setFilter({ feed: "a" });
    fake.clear();
    await actions.timeline.markAllRead();
    assert.deepEqual(fake.argsOf("markRead"), [[{ feedId: "a" }]]);
    assert.deepEqual(fake.names(), ["markRead", "unreadCounts"]);
    assert.deepEqual([3, 1].map((seq) => state().timeline.pages.get(0).find((e) => e.seq === seq).read), [true, true]);
  });

  test("markAllRead without a feed filter marks every feed", async () => {
    const { actions, fake, state } = await loaded({ listEvents: [ev(3, { feedId: "a" }), ev(2, { feedId: "b" })] });
    await actions.timeline.markAllRead();
    assert.deepEqual(fake.argsOf("markRead"), [[{}]]);
    assert.ok(state().timeline.pages.get(0).every((e) => e.read));
  });

  test("markAllRead for feed a leaves feed b's loaded rows unread", async () => {
    const { actions, state } = await loaded({ listEvents: [ev(3, { feedId: "a" }), ev(2, { feedId: "b" })] });
    await actions.timeline.setFilter({ feed: "a" });
    await actions.timeline.markAllRead();
    assert.deepEqual(state().timeline.pages.get(0).map((e) => [e.feedId, e.read]), [["a", true], ["b", false]]);
  });

  test("markAllRead that fails changes no row, says so, refetches the counts", async () => {
    const { actions, fake, state } = await loaded({ markRead: fail("io", "nope") });
    await actions.timeline.markAllRead();
    assert.equal(rowAt(state().timeline, 0).read, false);
    assert.equal(state().app.notices.at(-1).message, "Could not mark events read: nope");
    assert.deepEqual(fake.names(), ["markRead", "unreadCounts"]);
  });
});

describe("live batches", () => {
  test("addLive counts unread events per feed and puts matching rows on top", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: [ev(10, { feedId: "a" })], unreadCounts: { a: 1 } });
    await actions.start();
    fake.emit("onEvents", [ev(11, { feedId: "a" }), ev(12, { feedId: "b", read: true }), ev(13, { feedId: "b" })]);
    assert.deepEqual(Object.fromEntries(state().feeds.unread), { a: 2, b: 1 });
    assert.deepEqual(seqs(state().timeline.live), [13, 12, 11]);
  });

  test(`more than ${LIVE_CAP} live rows at the top: the timeline reads from the store again`, async () => {
    const { actions, fake, state } = await setupActions({ listEvents: [ev(1)] });
    await actions.timeline.reload();
    fake.clear();
    const flood = Array.from({ length: LIVE_CAP + 1 }, (_, i) => ev(2 + i));
    actions.timeline.addLive(flood);
    assert.deepEqual(fake.names(), ["listEvents"]);
    assert.equal(state().timeline.status, "loading");
  });

  test("…but not while the user is scrolled away (the rows they read must not jump)", async () => {
    const { actions, fake } = await setupActions({ listEvents: [ev(1)] });
    await actions.timeline.reload();
    actions.timeline.setAway(true);
    fake.clear();
    actions.timeline.addLive(Array.from({ length: LIVE_CAP + 1 }, (_, i) => ev(2 + i)));
    assert.deepEqual(fake.calls, []);
  });
});
