import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createActions, toFeedDraft } from "../../../ui/js/actions.js";
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
      listEvents: (query) => answer("list_events", query),
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
      onSilenced: listen("silenced"),
      onActivate: listen("activate"),
    },
  };
}

function setup(replies) {
  const store = createStore({ schedule: () => {} });
  const fake = fakeApi({ list_feeds: [], list_events: [], notices: [], ...replies });
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
    assert.deepEqual(calls.slice(0, firstLoad).sort(), ["listen activate", "listen events", "listen feeds", "listen notice", "listen silenced", "listen status"]);
    assert.deepEqual(calls.slice(firstLoad).sort(), ["list_events", "list_feeds", "notices"]);
  });

  test("loads feeds, the newest page of stored events and startup notices", async () => {
    const { actions, store } = setup({
      list_feeds: [feed("a")],
      list_events: [ev(3), ev(2)],
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
    const { actions, store, emit } = setup({ list_feeds: () => list.promise, list_events: [ev(1)] });
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
      list_events: [ev(1)],
    });
    await actions.start();
    const s = store.getState();
    assert.equal(s.notices.length, 1);
    assert.match(s.notices[0].message, /database locked/);
    assert.equal(s.notices[0].level, "error");
    // The list is unknown, not empty: no "No feeds yet" and no demo offer.
    assert.equal(s.feedsLoaded, false);
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

describe("toFeedDraft", () => {
  const typed = { name: " CI ", url: " https://ci.example/events ", headers: "A: b\n", caCert: "", idleTimeout: "" };
  const drafts = [
    // [name, changes to the typed form, expected caCert and idleTimeoutSecs]
    ["empty advanced fields", {}, { caCert: "", idleTimeoutSecs: null }],
    ["idle timeout of blanks", { idleTimeout: "  " }, { caCert: "", idleTimeoutSecs: null }],
    ["CA path is trimmed", { caCert: "  /etc/ssl/home-ca.pem \n" }, { caCert: "/etc/ssl/home-ca.pem", idleTimeoutSecs: null }],
    ["blank CA path is none", { caCert: "   " }, { caCert: "", idleTimeoutSecs: null }],
    ["idle timeout becomes a number", { idleTimeout: "300" }, { caCert: "", idleTimeoutSecs: 300 }],
    ["idle timeout with blanks and exponent", { idleTimeout: " 1e3 " }, { caCert: "", idleTimeoutSecs: 1000 }],
    // The range is the backend's to check (it names the field): these go through as typed.
    ["idle timeout below the range", { idleTimeout: "3" }, { caCert: "", idleTimeoutSecs: 3 }],
    ["idle timeout above the range", { idleTimeout: "100000" }, { caCert: "", idleTimeoutSecs: 100000 }],
  ];
  for (const [name, changes, want] of drafts) {
    test(name, () => {
      const { draft } = toFeedDraft({ ...typed, ...changes });
      // Name, URL and headers go as typed: the backend trims and checks them.
      assert.deepEqual(draft, { name: " CI ", url: " https://ci.example/events ", headers: "A: b\n", ...want });
    });
  }

  const unsendable = [
    // [name, changes]: an idle timeout that is no unsigned integer cannot even be sent
    ["a fraction", { idleTimeout: "12.5" }],
    ["a negative number", { idleTimeout: "-90" }],
    ["not a number", { idleTimeout: "ninety" }],
    ["too large to be exact", { idleTimeout: "1e30" }],
    ["text the number input could not read", { idleTimeout: "", idleTimeoutUnreadable: true }],
  ];
  for (const [name, changes] of unsendable) {
    test(`idle timeout that is ${name} is an idleTimeout error`, () => {
      const result = toFeedDraft({ ...typed, ...changes });
      assert.equal(result.draft, undefined);
      assert.equal(result.error.code, "invalid");
      assert.equal(result.error.field, "idleTimeout");
      assert.match(result.error.message, /whole number of seconds/);
    });
  }
});

describe("addFeed", () => {
  const draft = { name: "CI", url: "not a url", headers: "Authorization: Bearer x" };
  const typed = { ...draft, caCert: "", idleTimeout: "" };

  /** An `add_feed` that records each draft it gets and then answers `reply()`. */
  function recording(reply = () => Promise.resolve(feed("ci", { name: "CI" }))) {
    const sent = [];
    return { sent, add_feed: (d) => (sent.push(d), reply()) };
  }

  test("sends the draft and shows the new feed", async () => {
    const rec = recording();
    const { actions, store } = setup({ add_feed: rec.add_feed });
    assert.equal(await actions.addFeed(typed), true);
    assert.deepEqual(rec.sent, [{ ...draft, caCert: "", idleTimeoutSecs: null }]);
    assert.deepEqual(store.getState().feedIds, ["ci"]);
    assert.deepEqual(store.getState().form, { saving: false, errors: {} });
  });

  test("sends the CA certificate path trimmed and the idle timeout as whole seconds", async () => {
    const rec = recording();
    const { actions } = setup({ add_feed: rec.add_feed });
    assert.equal(await actions.addFeed({ ...typed, caCert: " /home/me/ca.pem ", idleTimeout: "120" }), true);
    assert.deepEqual(rec.sent, [{ ...draft, caCert: "/home/me/ca.pem", idleTimeoutSecs: 120 }]);
    assert.equal(typeof rec.sent[0].idleTimeoutSecs, "number");
  });

  test("an empty idle timeout is sent as null, the backend's default", async () => {
    const rec = recording();
    const { actions } = setup({ add_feed: rec.add_feed });
    await actions.addFeed({ ...typed, idleTimeout: "" });
    assert.ok("idleTimeoutSecs" in rec.sent[0], "the field is sent, not left out");
    assert.equal(rec.sent[0].idleTimeoutSecs, null);
  });

  test("an idle timeout that is no whole number stays here, under its field", async () => {
    const rec = recording();
    const { actions, store } = setup({ add_feed: rec.add_feed });
    store.saveFailed({ code: "invalid", field: "url", message: "old error" });
    assert.equal(await actions.addFeed({ ...typed, idleTimeout: "1.5" }), false);
    assert.deepEqual(rec.sent, [], "nothing reaches the backend");
    const { form } = store.getState();
    assert.equal(form.saving, false);
    assert.deepEqual(Object.keys(form.errors), ["idleTimeout"], "old errors go");
    assert.match(form.errors.idleTimeout, /whole number/);
  });

  const advancedFailures = [
    // [field as the backend names it, message]
    ["caCert", "Cannot read /nope.pem: No such file or directory (os error 2)."],
    ["idleTimeout", "Use between 5 and 86400 seconds."],
  ];
  for (const [field, message] of advancedFailures) {
    test(`the backend's ${field} error goes under that field`, async () => {
      const { actions, store } = setup({ add_feed: () => Promise.reject({ code: "invalid", field, message }) });
      assert.equal(await actions.addFeed({ ...typed, caCert: "/nope.pem", idleTimeout: "3" }), false);
      assert.deepEqual(store.getState().form, { saving: false, errors: { [field]: message } });
      assert.deepEqual(store.getState().feedIds, []);
    });
  }

  test("an invalid field puts the message under that field and adds nothing", async () => {
    const { actions, store } = setup({
      add_feed: () => Promise.reject({ code: "invalid", field: "url", message: "URL must start with http:// or https://" }),
    });
    assert.equal(await actions.addFeed(typed), false);
    const s = store.getState();
    assert.deepEqual(s.form.errors, { url: "URL must start with http:// or https://" });
    assert.equal(s.form.saving, false);
    assert.deepEqual(s.feedIds, []);
  });

  test("another failure goes to the form's general line", async () => {
    const { actions, store } = setup({ add_feed: () => Promise.reject("command add_feed not allowed") });
    await actions.addFeed(typed);
    assert.deepEqual(store.getState().form.errors, { form: "command add_feed not allowed" });
  });

  test("a second submit while saving is ignored", async () => {
    const reply = deferred();
    const { actions, calls } = setup({ add_feed: () => reply.promise });
    const first = actions.addFeed(typed);
    assert.equal(await actions.addFeed(typed), false);
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

  test("pausing asks the backend, and the status it pushes afterwards reaches the store", async () => {
    /** @type {unknown[][]} */
    const asked = [];
    const { actions, store, emit } = setup({
      set_feed_paused: (...args) => {
        asked.push(args);
        return Promise.resolve(null);
      },
    });
    await actions.start();
    emit("feeds", [feed("a", { status: { state: "live", since: 1 } })]);
    await actions.setFeedPaused("a", true);
    assert.deepEqual(asked, [["a", true]]);
    assert.equal(store.getState().notices.length, 0, "no error shown");
    emit("status", { feedId: "a", status: { state: "stopped", reason: "user" } });
    assert.deepEqual(store.getState().statuses.get("a"), { state: "stopped", reason: "user" });
  });
});

describe("older pages", () => {
  test("the first page asks for the page size; a full page offers older events", async () => {
    const asked = [];
    const { actions, store } = setup({
      list_events: (query) => {
        asked.push(query);
        return Promise.resolve([ev(3), ev(2)]);
      },
    });
    await actions.start();
    assert.deepEqual(asked, [{ limit: 500 }]);
    assert.equal(store.getState().older, "end", "2 of 500: nothing older");
  });

  test("show older asks for the page before the oldest row and appends it", async () => {
    const asked = [];
    const pages = [[ev(6), ev(5)], [ev(4), ev(3)], [ev(2)]];
    const store = createStore({ schedule: () => {} });
    const fake = fakeApi({
      list_feeds: [],
      notices: [],
      list_events: (query) => {
        asked.push(query);
        return Promise.resolve(pages.shift());
      },
    });
    const actions = createActions(store, fake.api, { recentLimit: 2 });
    await actions.start();
    assert.equal(store.getState().older, "more");
    await actions.loadOlder();
    assert.deepEqual(seqs(store.getState().timeline), [6, 5, 4, 3]);
    await actions.loadOlder();
    assert.deepEqual(seqs(store.getState().timeline), [6, 5, 4, 3, 2]);
    assert.equal(store.getState().older, "end");
    await actions.loadOlder(); // nothing older: no call
    assert.deepEqual(asked, [{ limit: 2 }, { before: 5, limit: 2 }, { before: 3, limit: 2 }]);
  });

  test("a failed older page can be asked for again", async () => {
    let fail = false;
    const store = createStore({ schedule: () => {} });
    const fake = fakeApi({
      list_feeds: [],
      notices: [],
      list_events: () => (fail ? Promise.reject({ code: "failed", message: "disk gone" }) : Promise.resolve([ev(2), ev(1)])),
    });
    const actions = createActions(store, fake.api, { recentLimit: 2 });
    await actions.start();
    fail = true;
    await actions.loadOlder();
    assert.equal(store.getState().older, "more");
    assert.match(store.getState().notices[0].message, /older events: disk gone/);
  });
});
