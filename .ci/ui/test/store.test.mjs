import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createStore, mergeEvents, NOTICE_CAP, TIMELINE_CAP } from "../../../ui/js/store.js";
import { ev, feed, manualScheduler, seqs } from "../support/fixtures.mjs";

/** A store whose notifications run only when the test says so. */
function setup(options = {}) {
  const clock = manualScheduler();
  const store = createStore({ schedule: clock.schedule, ...options });
  const seen = [];
  store.subscribe((s) => seen.push(s));
  return { store, clock, seen };
}

describe("timeline", () => {
  test("a batch arriving oldest first is shown newest first", () => {
    const { store } = setup();
    store.addEvents([ev(1), ev(2), ev(3)]);
    assert.deepEqual(seqs(store.getState().timeline), [3, 2, 1]);
  });

  test("a later batch goes on top of an earlier one", () => {
    const { store } = setup();
    store.addEvents([ev(1), ev(2)]);
    store.addEvents([ev(3), ev(4)]);
    assert.deepEqual(seqs(store.getState().timeline), [4, 3, 2, 1]);
  });

  test("list_events (newest first) loads in the order given", () => {
    const { store } = setup();
    store.loadEvents([ev(9), ev(8), ev(7)], 3);
    assert.deepEqual(seqs(store.getState().timeline), [9, 8, 7]);
  });

  test("list_events answering after a live batch merges in seq order without duplicates", () => {
    const { store } = setup();
    store.addEvents([ev(10), ev(11)]);
    store.loadEvents([ev(10), ev(9), ev(8)], 3);
    assert.deepEqual(seqs(store.getState().timeline), [11, 10, 9, 8]);
  });

  test("the timeline keeps only the newest `cap` events", () => {
    const { store } = setup({ cap: 3 });
    store.addEvents([ev(1), ev(2)]);
    store.addEvents([ev(3), ev(4), ev(5)]);
    assert.deepEqual(seqs(store.getState().timeline), [5, 4, 3]);
  });

  test("an older page raises the cap by its size, and live events then keep it", () => {
    const { store } = setup({ cap: 3 });
    store.loadEvents([ev(9), ev(8), ev(7)], 3);
    assert.equal(store.getState().older, "more", "a full page");
    store.addOlder([ev(6), ev(5)], 3);
    assert.deepEqual(seqs(store.getState().timeline), [9, 8, 7, 6, 5]);
    assert.equal(store.getState().older, "end", "a short page: nothing older");
    store.addEvents([ev(10)]);
    assert.deepEqual(seqs(store.getState().timeline), [10, 9, 8, 7, 6]);
    assert.equal(store.getState().older, "more", "5 fell off the end and can be paged back");
  });

  test("the default cap is TIMELINE_CAP", () => {
    const { store } = setup();
    const batch = Array.from({ length: TIMELINE_CAP + 20 }, (_, i) => ev(i + 1));
    store.addEvents(batch);
    const { timeline } = store.getState();
    assert.equal(timeline.length, TIMELINE_CAP);
    assert.equal(timeline[0].seq, TIMELINE_CAP + 20);
    assert.equal(timeline.at(-1).seq, 21);
  });

  test("a batch of only known events changes nothing and notifies nobody", () => {
    const { store, clock } = setup();
    store.addEvents([ev(1)]);
    clock.run();
    const before = store.getState().timeline;
    store.addEvents([ev(1)]);
    assert.equal(store.getState().timeline, before);
    assert.equal(clock.pending, 0);
  });

  test("the batch passed in is not mutated", () => {
    const { store } = setup();
    const batch = [ev(1), ev(2)];
    store.addEvents(batch);
    assert.deepEqual(seqs(batch), [1, 2]);
  });

  const mergeCases = [
    // [name, timeline, incoming (newest first), cap, expected]
    ["empty + empty", [], [], 5, []],
    ["prepend newer", [2, 1], [4, 3], 5, [4, 3, 2, 1]],
    ["drop duplicates in batch", [], [3, 3, 2], 5, [3, 2]],
    ["older than tail, room left", [5, 4], [2, 1], 5, [5, 4, 2, 1]],
    ["older than tail, full", [5, 4], [2, 1], 2, [5, 4]],
    ["interleaved", [6, 4, 2], [5, 3, 1], 10, [6, 5, 4, 3, 2, 1]],
  ];
  for (const [name, have, incoming, cap, want] of mergeCases) {
    test(`mergeEvents: ${name}`, () => {
      const got = mergeEvents(have.map((s) => ev(s)), incoming.map((s) => ev(s)), cap);
      assert.deepEqual(seqs(got), want);
    });
  }
});

describe("batching of notifications", () => {
  test("many actions before a flush cause one notification with the final state", () => {
    const { store, clock, seen } = setup();
    store.addEvents([ev(1)]);
    store.addEvents([ev(2)]);
    store.setFeeds([feed("a")]);
    store.setView("settings");
    assert.equal(seen.length, 0, "nothing before the scheduled flush");
    assert.equal(clock.pending, 1, "one flush scheduled for the whole burst");
    clock.run();
    assert.equal(seen.length, 1);
    assert.deepEqual(seqs(seen[0].timeline), [2, 1]);
    assert.equal(seen[0].view, "settings");
  });

  test("a subscriber that throws does not stop the others", () => {
    const clock = manualScheduler();
    const store = createStore({ schedule: clock.schedule });
    const original = console.error;
    console.error = () => {};
    // The thrower first: the one after it must still be called.
    store.subscribe(() => {
      throw new Error("boom");
    });
    const seen = [];
    store.subscribe((s) => seen.push(s));
    try {
      store.setView("settings");
      clock.run();
    } finally {
      console.error = original;
    }
    assert.equal(seen.length, 1);
  });

  test("unsubscribe stops notifications", () => {
    const { store, clock } = setup();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    off();
    store.setView("settings");
    clock.run();
    assert.equal(calls, 0);
  });

  test("the default scheduler is a microtask", async () => {
    const store = createStore();
    let calls = 0;
    store.subscribe(() => calls++);
    store.setView("settings");
    store.setView("timeline");
    assert.equal(calls, 0);
    await Promise.resolve();
    assert.equal(calls, 1);
  });
});

describe("feeds and statuses", () => {
  test("setFeeds keeps the backend's order and takes each feed's status", () => {
    const { store } = setup();
    store.setFeeds([feed("b"), feed("a", { status: { state: "live", since: 1 } })]);
    const s = store.getState();
    assert.deepEqual(s.feedIds, ["b", "a"]);
    assert.equal(s.feedsLoaded, true);
    assert.deepEqual(s.statuses.get("a"), { state: "live", since: 1 });
  });

  test("a status change updates the status map and the feed's own copy", () => {
    const { store } = setup();
    store.setFeeds([feed("a")]);
    const status = { state: "stopped", reason: "server" };
    store.setStatus("a", status);
    assert.equal(store.getState().statuses.get("a"), status);
    assert.equal(store.getState().feeds.get("a").status, status);
  });

  test("a status for a feed not listed yet is kept", () => {
    const { store } = setup();
    store.setStatus("x", { state: "live", since: 5 });
    assert.deepEqual(store.getState().statuses.get("x"), { state: "live", since: 5 });
    assert.equal(store.getState().feeds.has("x"), false);
  });

  test("a new feed list drops removed feeds and their statuses", () => {
    const { store } = setup();
    store.setFeeds([feed("a"), feed("b")]);
    store.setFeeds([feed("b")]);
    const s = store.getState();
    assert.deepEqual(s.feedIds, ["b"]);
    assert.equal(s.statuses.has("a"), false);
  });

  test("upsertFeed appends a new feed and replaces a known one in place", () => {
    const { store } = setup();
    store.setFeeds([feed("a"), feed("b")]);
    store.upsertFeed(feed("c"));
    store.upsertFeed(feed("a", { name: "Renamed" }));
    const s = store.getState();
    assert.deepEqual(s.feedIds, ["a", "b", "c"]);
    assert.equal(s.feeds.get("a").name, "Renamed");
  });

  test("a saved feed's reply does not undo a newer status event", () => {
    const { store } = setup();
    // The status stream already said "live" when add_feed's reply (still "connecting") lands.
    store.setStatus("n", { state: "live", since: 5 });
    store.saveSucceeded(feed("n", { status: { state: "connecting", attempt: 0 } }));
    const s = store.getState();
    assert.equal(s.statuses.get("n").state, "live");
    assert.equal(s.feeds.get("n").status.state, "live");
  });

  test("removeFeed forgets the feed but keeps its events", () => {
    const { store } = setup();
    store.setFeeds([feed("a")]);
    store.addEvents([ev(1, { feedId: "a" })]);
    store.removeFeed("a");
    const s = store.getState();
    assert.deepEqual(s.feedIds, []);
    assert.equal(s.statuses.has("a"), false);
    assert.deepEqual(seqs(s.timeline), [1]);
  });
});

describe("notices", () => {
  test("notices are kept oldest first with an id each", () => {
    const { store } = setup();
    const a = store.addNotice({ level: "warning", message: "settings file was corrupt" });
    const b = store.addNotice({ level: "info", message: "hello" });
    assert.notEqual(a, b);
    assert.deepEqual(
      store.getState().notices.map((n) => [n.level, n.message]),
      [
        ["warning", "settings file was corrupt"],
        ["info", "hello"],
      ],
    );
  });

  test("the same notice twice is shown once", () => {
    const { store } = setup();
    store.addNotice({ level: "error", message: "x" });
    assert.equal(store.addNotice({ level: "error", message: "x" }), null);
    assert.equal(store.getState().notices.length, 1);
  });

  test("the same message at another level is a different notice", () => {
    const { store } = setup();
    store.addNotice({ level: "error", message: "x" });
    store.addNotice({ level: "info", message: "x" });
    assert.equal(store.getState().notices.length, 2);
  });

  test("a dismissed notice can be shown again", () => {
    const { store } = setup();
    const id = store.addNotice({ level: "info", message: "x" });
    store.dismissNotice(id);
    assert.equal(store.getState().notices.length, 0);
    assert.notEqual(store.addNotice({ level: "info", message: "x" }), null);
  });

  test("an unknown level is shown as info", () => {
    const { store } = setup();
    store.addNotice({ level: "shout", message: "x" });
    assert.equal(store.getState().notices[0].level, "info");
  });

  test("at most NOTICE_CAP notices stay, the oldest go first", () => {
    const { store } = setup();
    for (let i = 0; i < NOTICE_CAP + 3; i++) store.addNotice({ level: "info", message: `n${i}` });
    const { notices } = store.getState();
    assert.equal(notices.length, NOTICE_CAP);
    assert.equal(notices[0].message, "n3");
  });
});

describe("feed form", () => {
  const failures = [
    // [name, rejection, expected errors]
    ["invalid url", { code: "invalid", field: "url", message: "not a URL" }, { url: "not a URL" }],
    ["invalid name", { code: "invalid", field: "name", message: "empty" }, { name: "empty" }],
    ["invalid headers", { code: "invalid", field: "headers", message: "line 2" }, { headers: "line 2" }],
    ["invalid CA certificate", { code: "invalid", field: "caCert", message: "cannot read" }, { caCert: "cannot read" }],
    ["invalid idle timeout", { code: "invalid", field: "idleTimeout", message: "5..86400" }, { idleTimeout: "5..86400" }],
    ["other code", { code: "io", message: "disk full" }, { form: "disk full" }],
    ["invalid, unknown field", { code: "invalid", field: "color", message: "?" }, { form: "?" }],
  ];
  for (const [name, err, want] of failures) {
    test(`saveFailed: ${name}`, () => {
      const { store } = setup();
      store.saveStarted();
      assert.equal(store.getState().form.saving, true);
      store.saveFailed(err);
      assert.deepEqual(store.getState().form, { saving: false, errors: want });
      assert.deepEqual(store.getState().feedIds, [], "nothing added");
    });
  }

  test("saveSucceeded adds the feed and clears errors", () => {
    const { store } = setup();
    store.saveFailed({ code: "invalid", field: "url", message: "bad" });
    store.saveStarted();
    store.saveSucceeded(feed("n"));
    const s = store.getState();
    assert.deepEqual(s.form, { saving: false, errors: {} });
    assert.deepEqual(s.feedIds, ["n"]);
  });

  test("editing a field clears only that field's error", () => {
    const { store } = setup();
    store.saveFailed({ code: "invalid", field: "url", message: "bad" });
    store.clearFieldError("name");
    assert.equal(store.getState().form.errors.url, "bad");
    store.clearFieldError("url");
    assert.deepEqual(store.getState().form.errors, {});
  });

  test("editing an advanced field clears its error", () => {
    const { store } = setup();
    store.saveFailed({ code: "invalid", field: "idleTimeout", message: "too short" });
    store.clearFieldError("caCert");
    assert.equal(store.getState().form.errors.idleTimeout, "too short");
    store.clearFieldError("idleTimeout");
    assert.deepEqual(store.getState().form.errors, {});
  });
});

describe("clock", () => {
  test("tick re-renders only while a countdown is shown", () => {
    const { store, clock, seen } = setup();
    store.setFeeds([feed("a", { status: { state: "live", since: 1 } })]);
    clock.run();
    store.tick(5000);
    clock.run();
    assert.equal(seen.length, 1, "no render for a live feed");
    assert.equal(store.getState().now, 5000, "the clock still advances");

    store.setStatus("a", { state: "backoff", attempt: 2, nextTryAt: 9000, error: { kind: "io", message: "refused" } });
    clock.run();
    store.tick(6000);
    clock.run();
    assert.equal(seen.length, 3);
    assert.equal(seen[2].now, 6000);
  });
});

describe("notifications", () => {
  test("events a silence rule kept from notifying are marked, others left as they were", () => {
    const { store } = setup();
    store.addEvents([ev(1), ev(2), ev(3)]);
    const before = store.getState().timeline;
    store.markSilenced([2, 99]);
    const after = store.getState().timeline;
    assert.deepEqual(
      after.map((e) => [e.seq, Boolean(e.silenced)]),
      [[3, false], [2, true], [1, false]],
    );
    assert.equal(after[0], before[0], "unchanged rows keep their identity");
  });

  test("marking nothing new changes nothing", () => {
    const { store } = setup();
    store.addEvents([ev(1, { silenced: true })]);
    const before = store.getState();
    store.markSilenced([1, 7]);
    assert.equal(store.getState(), before);
  });

  test("a clicked notification shows the timeline with its event selected", () => {
    const { store } = setup();
    store.setView("settings");
    store.select(5);
    assert.equal(store.getState().view, "timeline");
    assert.equal(store.getState().selected, 5);
  });
});

