// The store kernel (state/store.js) and the app slice (state/app.js).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as app from "../../../ui/js/state/app.js";
import { createStore } from "../../../ui/js/state/store.js";
import { manualScheduler } from "../support/fixtures.mjs";

function setup() {
  const clock = manualScheduler();
  const store = createStore({ schedule: clock.schedule, now: 42 });
  const seen = [];
  store.subscribe((s) => seen.push(s));
  return { store, clock, seen };
}

describe("store kernel", () => {
  test("starts with every slice, the clock from options", () => {
    const { store } = setup();
    assert.deepEqual(Object.keys(store.get()).sort(), ["app", "editor", "feeds", "search", "settings", "timeline"]);
    assert.equal(store.get().app.now, 42);
    assert.equal(store.get().app.screen, "timeline");
  });

  test("a burst of changes schedules one flush and one render", () => {
    const { store, clock, seen } = setup();
    store.change("app", (a) => app.show(a, "editor"));
    store.change("app", (a) => app.show(a, "settings"));
    store.change("app", (a) => app.tick(a, 7));
    assert.equal(clock.pending, 1);
    assert.equal(seen.length, 0);
    clock.run();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].app.screen, "settings");
    assert.equal(seen[0].app.now, 7);
  });

  test("returning the same slice changes nothing and schedules nothing", () => {
    const { store, clock } = setup();
    const before = store.get();
    store.change("app", (a) => app.show(a, "timeline"));
    assert.equal(store.get(), before);
    assert.equal(clock.pending, 0);
  });

  test("a change replaces only its slice: the others stay the same objects", () => {
    const { store } = setup();
    const before = store.get();
    store.change("app", (a) => app.show(a, "editor"));
    const after = store.get();
    assert.notEqual(after, before);
    assert.notEqual(after.app, before.app);
    for (const key of ["feeds", "timeline", "search", "editor", "settings"]) assert.equal(after[key], before[key], key);
  });

  test("flush without a change calls nobody", () => {
    const { store, seen } = setup();
    store.flush();
    assert.equal(seen.length, 0);
  });

  test("a failing subscriber does not stop the others; unsubscribe stops delivery", (t) => {
    const { store, clock, seen } = setup();
    t.mock.method(console, "error", () => {});
    const unsubscribe = store.subscribe(() => {
      throw new Error("broken view");
    });
    const later = [];
    store.subscribe((s) => later.push(s));
    store.change("app", (a) => app.show(a, "editor"));
    clock.run();
    assert.equal(seen.length, 1);
    assert.equal(later.length, 1);
    assert.equal(console.error.mock.calls.length, 1);
    unsubscribe();
    store.change("app", (a) => app.show(a, "settings"));
    clock.run();
    assert.equal(later.length, 2);
    assert.equal(console.error.mock.calls.length, 1);
  });
});

describe("app slice", () => {
  test("notices: deduplicated by level and message, ids increase, level normalized", () => {
    let a = app.initial(0);
    a = app.addNotice(a, { level: "warning", message: "corrupt settings" });
    const same = app.addNotice(a, { level: "warning", message: "corrupt settings" });
    assert.equal(same, a);
    a = app.addNotice(a, { level: "error", message: "corrupt settings" });
    a = app.addNotice(a, /** @type {any} */ ({ level: "shout", message: 5 }));
    assert.deepEqual(a.notices, [
      { id: 1, level: "warning", message: "corrupt settings" },
      { id: 2, level: "error", message: "corrupt settings" },
      { id: 3, level: "info", message: "5" },
    ]);
  });

  test(`notices: at most ${app.NOTICE_CAP}, the oldest go first`, () => {
    let a = app.initial(0);
    for (let i = 0; i < app.NOTICE_CAP + 5; i++) a = app.addNotice(a, { level: "info", message: `n${i}` });
    assert.equal(a.notices.length, app.NOTICE_CAP);
    assert.equal(a.notices[0].message, "n5");
    assert.equal(a.notices.at(-1).message, `n${app.NOTICE_CAP + 4}`);
  });

  test("dismissNotice removes by id; an unknown id changes nothing", () => {
    let a = app.addNotice(app.addNotice(app.initial(0), { level: "info", message: "x" }), { level: "info", message: "y" });
    assert.equal(app.dismissNotice(a, 99), a);
    a = app.dismissNotice(a, 1);
    assert.deepEqual(a.notices.map((n) => n.message), ["y"]);
  });

  test("show the screen already shown returns the same slice", () => {
    const a = app.initial(0);
    assert.equal(app.show(a, "timeline"), a);
    assert.equal(app.show(a, "editor").screen, "editor");
  });
});
