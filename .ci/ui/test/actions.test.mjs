import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createActions } from "../../../ui/js/actions.js";
import { createStore } from "../../../ui/js/store.js";
import { ev, feed, seqs } from "../support/fixtures.mjs";

/**
 * A stand-in for ipc.js: records calls, lets the test emit backend events, and answers
 * commands from `replies` (a value, or a function returning a promise).
 */
function fakeApi(replies = {}) {
  const calls = [];
  const listeners = {};
  const answer = (name, ...args) => {
    calls.push(name);
    const r = replies[name];
    return typeof r === "function" ? r(...args) : Promise.resolve(r);
  };
  const listen = (name) => (cb) => {
    calls.push(`listen ${name}`);
    listeners[name] = cb;
    return Promise.resolve(() => {});
  };
  return {
    calls,
    emit: (name, payload) => listeners[name](payload),
    api: {
      hasBackend: () => replies.hasBackend ?? true,
      listFeeds: () => answer("list_feeds"),
      recentEvents: (limit) => answer("recent_events", limit),
      notices: () => answer("notices"),
      addFeed: (draft) => answer("add_feed", draft),
      addDemoFeed: () => answer("add_demo_feed"),
      removeFeed: (id) => answer("remove_feed", id),
      reconnectFeed: (id) => answer("reconnect_feed", id),
      setFeedPaused: (id, paused) => answer("set_feed_paused", id, paused),
      onEvents: listen("events"),
      onStatus: listen("status"),
      onNotice: listen("notice"),
      onFeeds: listen("feeds"),
    },
  };
}

function setup(replies) {
  const store = createStore({ schedule: () => {} });
  const fake = fakeApi({ list_feeds: [], recent_events: [], notices: [], ...replies });
  const actions = createActions(store, fake.api, { recentLimit: 500 });
  return { store, actions, ...fake };
}

/** A promise the test settles by hand. */
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

describe("start", () => {
  test("listens to every event before loading anything", async () => {
    const { actions, calls } = setup();
    await actions.start();
    const firstLoad = calls.findIndex((c) => !c.startsWith("listen"));
    assert.deepEqual(calls.slice(0, firstLoad).sort(), ["listen events", "listen feeds", "listen notice", "listen status"]);
    assert.deepEqual(calls.slice(firstLoad).sort(), ["list_feeds", "notices", "recent_events"]);
  });

  test("loads feeds, recent events and startup notices", async () => {
    const { actions, store } = setup({
      list_feeds: [feed("a")],
      recent_events: [ev(3), ev(2)],
      notices: [{ level: "warning", message: "settings file was corrupt, moved aside" }],
    });
    await actions.start();
    const s = store.getState();
    assert.deepEqual(s.feedIds, ["a"]);
    assert.deepEqual(seqs(s.timeline), [3, 2]);
    assert.equal(s.notices[0].message, "settings file was corrupt, moved aside");
  });

  test("events, statuses and a feed list that arrive while loading are not overwritten", async () => {
    const list = deferred();
    const { actions, store, emit } = setup({ list_feeds: () => list.promise, recent_events: [ev(1)] });
    const started = actions.start();
    await new Promise((r) => setImmediate(r));
    emit("events", [ev(2)]);
    emit("feeds", [feed("new")]);
    emit("status", { feedId: "new", status: { state: "live", since: 9 } });
    list.resolve([feed("old")]);
    await started;
    const s = store.getState();
    assert.deepEqual(s.feedIds, ["new"], "the pushed list is newer than the loaded one");
    assert.deepEqual(s.statuses.get("new"), { state: "live", since: 9 });
    assert.deepEqual(seqs(s.timeline), [2, 1]);
  });

  test("a status pushed while loading beats the status inside the loaded list", async () => {
    const list = deferred();
    const { actions, store, emit } = setup({ list_feeds: () => list.promise });
    const started = actions.start();
    await new Promise((r) => setImmediate(r));
    emit("status", { feedId: "a", status: { state: "live", since: 9 } });
    list.resolve([feed("a", { status: { state: "connecting", attempt: 1 } })]);
    await started;
    assert.deepEqual(store.getState().statuses.get("a"), { state: "live", since: 9 });
  });

  test("a failed load becomes an error notice and the rest still loads", async () => {
    const { actions, store } = setup({
      list_feeds: () => Promise.reject({ code: "io", message: "database locked" }),
      recent_events: [ev(1)],
    });
    await actions.start();
    const s = store.getState();
    assert.equal(s.notices.length, 1);
    assert.match(s.notices[0].message, /database locked/);
    assert.equal(s.notices[0].level, "error");
    assert.equal(s.feedsLoaded, true);
    assert.deepEqual(seqs(s.timeline), [1]);
  });

  test("without the Tauri backend it says so instead of failing silently", async () => {
    const { actions, store, calls } = setup({ hasBackend: false });
    await actions.start();
    assert.deepEqual(calls, []);
    assert.match(store.getState().notices[0].message, /backend is not reachable/);
  });

  test("live batches and status changes reach the store after startup", async () => {
    const { actions, store, emit } = setup();
    await actions.start();
    emit("events", [ev(5), ev(6)]);
    emit("notice", { level: "info", message: "hi" });
    emit("feeds", [feed("a")]);
    emit("status", { feedId: "a", status: { state: "stopped", reason: "user" } });
    const s = store.getState();
    assert.deepEqual(seqs(s.timeline), [6, 5]);
    assert.equal(s.notices[0].message, "hi");
    assert.deepEqual(s.statuses.get("a"), { state: "stopped", reason: "user" });
  });
});

describe("addFeed", () => {
  const draft = { name: "CI", url: "not a url", headers: "Authorization: Bearer x" };

  test("sends the draft and shows the new feed", async () => {
    let sent;
    const { actions, store } = setup({
      add_feed: (d) => {
        sent = d;
        return Promise.resolve(feed("ci", { name: "CI" }));
      },
    });
    assert.equal(await actions.addFeed(draft), true);
    assert.deepEqual(sent, draft);
    assert.deepEqual(store.getState().feedIds, ["ci"]);
    assert.deepEqual(store.getState().form, { saving: false, errors: {} });
  });

  test("an invalid field puts the message under that field and adds nothing", async () => {
    const { actions, store } = setup({
      add_feed: () => Promise.reject({ code: "invalid", field: "url", message: "URL must start with http:// or https://" }),
    });
    assert.equal(await actions.addFeed(draft), false);
    const s = store.getState();
    assert.deepEqual(s.form.errors, { url: "URL must start with http:// or https://" });
    assert.equal(s.form.saving, false);
    assert.deepEqual(s.feedIds, []);
  });

  test("another failure goes to the form's general line", async () => {
    const { actions, store } = setup({ add_feed: () => Promise.reject("command add_feed not allowed") });
    await actions.addFeed(draft);
    assert.deepEqual(store.getState().form.errors, { form: "command add_feed not allowed" });
  });

  test("a second submit while saving is ignored", async () => {
    const reply = deferred();
    const { actions, calls } = setup({ add_feed: () => reply.promise });
    const first = actions.addFeed(draft);
    assert.equal(await actions.addFeed(draft), false);
    reply.resolve(feed("ci"));
    assert.equal(await first, true);
    assert.equal(calls.filter((c) => c === "add_feed").length, 1);
  });
});

describe("other actions", () => {
  test("addDemoFeed shows the demo feed", async () => {
    const { actions, store } = setup({ add_demo_feed: feed("demo", { demo: true }) });
    await actions.addDemoFeed();
    assert.deepEqual(store.getState().feedIds, ["demo"]);
  });

  test("removeFeed forgets the feed once the backend agrees", async () => {
    const { actions, store } = setup({ remove_feed: null });
    store.setFeeds([feed("a"), feed("b")]);
    await actions.removeFeed("a");
    assert.deepEqual(store.getState().feedIds, ["b"]);
  });

  test("a failed remove keeps the feed and tells the user", async () => {
    const { actions, store } = setup({ remove_feed: () => Promise.reject({ code: "not_found", message: "no such feed" }) });
    store.setFeeds([feed("a")]);
    await actions.removeFeed("a");
    assert.deepEqual(store.getState().feedIds, ["a"]);
    assert.match(store.getState().notices[0].message, /no such feed/);
  });
});

describe("reconnectFeed", () => {
  test("asks the backend to reconnect that feed and leaves the status to the status event", async () => {
    const sent = [];
    const { actions, store, calls } = setup({ reconnect_feed: (id) => (sent.push(id), Promise.resolve(null)) });
    store.setFeeds([feed("a", { status: { state: "backoff", attempt: 3, nextTryAt: 9, error: { kind: "io", message: "refused" } } })]);
    const before = store.getState();
    await actions.reconnectFeed("a");
    assert.deepEqual(sent, ["a"]);
    assert.equal(calls.filter((c) => c === "reconnect_feed").length, 1);
    assert.equal(store.getState(), before, "nothing changes until herald://status says so");
  });

  test("a failure tells the user, like a failed remove", async () => {
    const { actions, store } = setup({ reconnect_feed: () => Promise.reject({ code: "not_found", message: "no such feed" }) });
    store.setFeeds([feed("a")]);
    await actions.reconnectFeed("a");
    const [notice] = store.getState().notices;
    assert.equal(notice.level, "error");
    assert.equal(notice.message, "Could not reconnect the feed: no such feed");
    assert.deepEqual(store.getState().feedIds, ["a"]);
  });

  test("a rejection that is a bare string still reads well", async () => {
    const { actions, store } = setup({ reconnect_feed: () => Promise.reject("command reconnect_feed not allowed") });
    await actions.reconnectFeed("a");
    assert.equal(store.getState().notices[0].message, "Could not reconnect the feed: command reconnect_feed not allowed");
  });
});

describe("setFeedPaused", () => {
  for (const paused of [true, false]) {
    test(`sends paused: ${paused} for that feed`, async () => {
      const sent = [];
      const { actions, store } = setup({ set_feed_paused: (id, p) => (sent.push([id, p]), Promise.resolve(null)) });
      store.setFeeds([feed("a")]);
      const before = store.getState();
      await actions.setFeedPaused("a", paused);
      assert.deepEqual(sent, [["a", paused]]);
      assert.equal(store.getState(), before, "nothing changes until herald://status says so");
    });
  }

  const failures = [
    // [paused, expected notice]
    [true, "Could not pause the feed: database locked"],
    [false, "Could not resume the feed: database locked"],
  ];
  for (const [paused, message] of failures) {
    test(`a failure to ${paused ? "pause" : "resume"} tells the user`, async () => {
      const { actions, store } = setup({ set_feed_paused: () => Promise.reject({ code: "io", message: "database locked" }) });
      store.setFeeds([feed("a")]);
      await actions.setFeedPaused("a", paused);
      const [notice] = store.getState().notices;
      assert.equal(notice.level, "error");
      assert.equal(notice.message, message);
    });
  }

  test("the paused status pushed afterwards reaches the store", async () => {
    const { actions, store, emit } = setup({ set_feed_paused: null });
    await actions.start();
    emit("feeds", [feed("a", { status: { state: "live", since: 1 } })]);
    await actions.setFeedPaused("a", true);
    emit("status", { feedId: "a", status: { state: "stopped", reason: "user" } });
    assert.deepEqual(store.getState().statuses.get("a"), { state: "stopped", reason: "user" });
  });
});
