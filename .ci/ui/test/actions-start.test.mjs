// actions/index.js: startup (listen first, then load), backend events, activate, tick, and
// the feed actions (actions/feeds.js), against a fake ipc.js.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as ipc from "../../../ui/js/ipc.js";
import { fail, LISTENERS, setupActions } from "../support/fake-api.mjs";
import { deferred, ev, feed, seqs, settle } from "../support/fixtures.mjs";

const LIVE = { state: "live", since: 1 };

test("the fake api implements every function ipc.js exports, and listens to every event", async () => {
  const { fake } = await setupActions();
  const exported = Object.entries(ipc).filter(([, v]) => typeof v === "function").map(([k]) => k);
  for (const name of exported) assert.equal(typeof fake.api[name], "function", `fake api lacks ${name}`);
  assert.deepEqual(exported.filter((n) => /^on[A-Z]/.test(n)).sort(), [...LISTENERS].sort());
});

describe("start", () => {
  test("listens to every event before loading anything, then loads everything once", async () => {
    const { actions, fake } = await setupActions();
    await actions.start();
    const names = fake.names();
    const listens = ["onActivate", "onEvents", "onFeeds", "onNotice", "onNotifications", "onSilenced", "onStatus"];
    assert.deepEqual(names.slice(0, listens.length).sort(), listens);
    assert.deepEqual(names.slice(listens.length).sort(), ["generalSettings", "listEvents", "listFeeds", "notices", "notificationSettings", "unreadCounts"]);
  });

  test("nothing loads until every subscription is in place", async () => {
    const events = deferred();
    const { actions, fake } = await setupActions({ onEvents: () => events.promise });
    const started = actions.start();
    await settle();
    assert.ok(fake.names().every((n) => n.startsWith("on")), `loaded early: ${fake.names()}`);
    events.resolve(() => {});
    await started;
    assert.ok(fake.names().includes("listFeeds"));
  });

  test("loads feeds, notices, rules (mutes), general settings, the first page and unread counts", async () => {
    const { actions, state } = await setupActions({
      listFeeds: [feed("a", { status: LIVE }), feed("b")],
      notices: [{ level: "warning", message: "settings file was corrupt, moved aside" }],
      notificationSettings: { feeds: { a: { mute: { kind: "forever" } } }, flood: { feedBurst: 1, feedWindowSecs: 2, globalPerMinute: 3 } },
      generalSettings: { retention: { maxEvents: null, maxAgeDays: 7 }, theme: "dark" },
      listEvents: [ev(3, { feedId: "a" }), ev(2, { feedId: "b" })],
      unreadCounts: { a: 4, b: 0 },
    });
    await actions.start();
    const s = state();
    assert.deepEqual(s.feeds.ids, ["a", "b"]);
    assert.equal(s.feeds.loaded, true);
    assert.deepEqual(s.feeds.statuses.get("a"), LIVE);
    assert.deepEqual(s.app.notices.map((n) => [n.level, n.message]), [["warning", "settings file was corrupt, moved aside"]]);
    assert.deepEqual(s.feeds.mutes.get("a"), { kind: "forever" });
    assert.equal(s.settings.notify.flood.feedBurst, 1);
    assert.equal(s.settings.general.retention.maxAgeDays, 7);
    assert.equal(s.settings.theme, "dark");
    assert.equal(s.timeline.status, "ready");
    assert.deepEqual(seqs(s.timeline.pages.get(0)), [3, 2]);
    assert.deepEqual(Object.fromEntries(s.feeds.unread), { a: 4 });
  });

  test("a status that came while loading beats the older one in the loaded list", async () => {
    const list = deferred();
    const { actions, fake, state } = await setupActions({ listFeeds: () => list.promise });
    const started = actions.start();
    await settle();
    fake.emit("onStatus", { feedId: "a", status: LIVE });
    list.resolve([feed("a", { status: { state: "connecting", attempt: 3 } }), feed("b")]);
    await started;
    assert.deepEqual(state().feeds.statuses.get("a"), LIVE);
    assert.deepEqual(state().feeds.byId.get("a").status, LIVE);
    assert.deepEqual(state().feeds.statuses.get("b"), { state: "connecting", attempt: 1 });
  });

  test("a feed list that came by event while loading beats the loaded one", async () => {
    const list = deferred();
    const { actions, fake, state } = await setupActions({ listFeeds: () => list.promise });
    const started = actions.start();
    await settle();
    fake.emit("onFeeds", [feed("new")]);
    list.resolve([feed("old")]);
    await started;
    assert.deepEqual(state().feeds.ids, ["new"]);
  });

  test("without a backend: says so, shows no feeds, calls nothing", async () => {
    const { actions, fake, state } = await setupActions({ hasBackend: false });
    await actions.start();
    assert.deepEqual(fake.calls, []);
    assert.equal(state().feeds.loaded, true);
    assert.match(state().app.notices[0].message, /^Cannot start: Herald's backend is not reachable/);
  });

  test("a subscription that fails is reported; loading goes on", async () => {
    const { actions, state } = await setupActions({ onNotice: () => Promise.reject({ code: "x", message: "no listen" }) });
    await actions.start();
    assert.deepEqual(state().app.notices.map((n) => n.message), ["Live updates are unavailable: no listen"]);
    assert.equal(state().timeline.status, "ready");
  });

  test("a feed list that fails is reported and the list stays unknown (no empty state)", async () => {
    const { actions, state } = await setupActions({ listFeeds: fail("io", "disk on fire") });
    await actions.start();
    assert.equal(state().feeds.loaded, false);
    assert.deepEqual(state().app.notices.map((n) => n.message), ["Could not load your feeds: disk on fire"]);
  });

  test("backend events after start: notices, statuses, feed lists, silenced rows, notification health", async () => {
    const { actions, fake, state } = await setupActions({ listFeeds: [feed("a")], listEvents: [ev(2), ev(1)] });
    await actions.start();
    fake.emit("onNotice", { level: "info", message: "hello" });
    fake.emit("onStatus", { feedId: "a", status: LIVE });
    fake.emit("onSilenced", [2]);
    fake.emit("onNotifications", { problem: "no daemon" });
    assert.equal(state().app.notices.at(-1).message, "hello");
    assert.deepEqual(state().feeds.byId.get("a").status, LIVE);
    assert.deepEqual(state().timeline.pages.get(0).map((e) => e.silenced), [true, false]);
    assert.deepEqual(state().settings.health, { problem: "no daemon" });
    fake.emit("onFeeds", [feed("a"), feed("z")]);
    assert.deepEqual(state().feeds.ids, ["a", "z"]);
  });
});

describe("activate (a clicked notification)", () => {
  test("a loaded event: the timeline shows, the event opens, no reload", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: [ev(2), ev(1)] });
    await actions.start();
    actions.settings.open();
    fake.clear();
    await actions.activate({ feedId: "f1", seq: 1 });
    assert.equal(state().app.screen, "timeline");
    assert.equal(state().timeline.selected, 1);
    assert.ok(!fake.names().includes("listEvents"));
  });

  test("an event hidden by a filter: the filter is reset to all feeds, then it opens", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: (q) => (q.feed ? [ev(5, { feedId: "a" })] : [ev(9, { feedId: "b" }), ev(5, { feedId: "a" })]) });
    await actions.start();
    await actions.timeline.setFilter({ feed: "a", unread: true });
    fake.clear();
    await actions.activate({ feedId: "b", seq: 9 });
    assert.deepEqual(fake.argsOf("listEvents"), [[{ limit: 100 }]]);
    assert.deepEqual({ ...state().timeline.filter }, { feed: null, type: null, unread: false, text: "" });
    assert.equal(state().timeline.selected, 9);
  });

  test("an event a search hides: the search is cleared too", async () => {
    const { actions, fake, state, timers } = await setupActions({ listEvents: (q) => (q.text ? [] : [ev(9), ev(5)]) });
    await actions.start();
    actions.timeline.search("nothing matches");
    timers.run();
    await settle();
    assert.equal(state().timeline.filter.text, "nothing matches");
    fake.clear();
    await actions.activate({ feedId: "f1", seq: 9 });
    assert.deepEqual(fake.argsOf("listEvents"), [[{ limit: 100 }]]);
    assert.equal(state().search.text, "");
    assert.equal(state().timeline.filter.text, "");
    assert.equal(state().timeline.selected, 9);
  });

  test("a feed alone (the tray's feed that needs attention): its timeline shows, nothing selected", async () => {
    const { actions, fake, state } = await setupActions({ listFeeds: [feed("a"), feed("b")], listEvents: [ev(2), ev(1)] });
    await actions.start();
    actions.settings.open();
    fake.clear();
    await actions.activate({ feedId: "b", seq: null });
    assert.equal(state().app.screen, "timeline");
    assert.equal(state().timeline.filter.feed, "b");
    assert.deepEqual(fake.argsOf("listEvents"), [[{ feed: "b", limit: 100 }]]);
    assert.equal(state().timeline.selected, null);
  });

  test("a subscribe link: the editor on a new feed, prefilled, nothing saved", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: [ev(1)] });
    await actions.start();
    fake.clear();
    await actions.activate({ feedId: null, seq: null, subscribe: { url: "https://example.com/sse", name: "Linked" } });
    assert.equal(state().app.screen, "editor");
    assert.equal(state().editor.feedId, null);
    assert.equal(state().editor.fields.url, "https://example.com/sse");
    assert.equal(state().editor.fields.name, "Linked");
    assert.deepEqual(fake.names(), [], "nothing saved, nothing asked of the backend");
    await actions.activate({ feedId: null, seq: null, subscribe: { url: "https://example.com/b", name: null } });
    assert.equal(state().editor.fields.name, "", "no name: the field stays empty");
  });

  test("after a filter is cleared again, a loaded event opens without a reload", async () => {
    const { actions, fake, state } = await setupActions({ listEvents: [ev(2), ev(1)] });
    await actions.start();
    await actions.timeline.setFilter({ unread: true });
    await actions.timeline.setFilter({ unread: false });
    fake.clear();
    await actions.activate({ feedId: "f1", seq: 1 });
    assert.ok(!fake.names().includes("listEvents"), "the unfiltered timeline already shows it");
    assert.equal(state().timeline.selected, 1);
  });
});

test("tick advances the clock only while something follows it", async () => {
  const { actions, fake, state } = await setupActions({ listFeeds: [feed("a", { status: LIVE })] });
  await actions.start();
  const before = state().app;
  actions.tick(5000);
  assert.equal(state().app, before, "nothing counts down: no change, no render");
  fake.emit("onStatus", { feedId: "a", status: { state: "backoff", attempt: 1, nextTryAt: 9000, error: { kind: "x", message: "y" } } });
  actions.tick(6000);
  assert.equal(state().app.now, 6000);
});

describe("feed actions", () => {
  async function started(overrides) {
    const s = await setupActions({ listFeeds: [feed("a"), feed("b")], ...overrides });
    await s.actions.start();
    s.fake.clear();
    return s;
  }

  test("setPaused calls set_feed_paused and records the flag", async () => {
    const { actions, fake, state } = await started();
    await actions.feeds.setPaused("a", true);
    assert.deepEqual(fake.argsOf("setFeedPaused"), [["a", true]]);
    assert.equal(state().feeds.byId.get("a").paused, true);
  });

  test("setPaused that fails says which way it failed", async () => {
    const { actions, state } = await started({ setFeedPaused: fail("io", "nope") });
    await actions.feeds.setPaused("a", false);
    assert.equal(state().app.notices.at(-1).message, "Could not resume the feed: nope");
    assert.equal(state().feeds.byId.get("a").paused, false);
  });

  test("mute records the mute as saved; off removes it", async () => {
    const { actions, fake, state } = await started({ muteFeed: (id, howLong) => (howLong === "off" ? { kind: "off" } : { kind: "until", untilMs: 77 }) });
    await actions.feeds.mute("a", "hour");
    assert.deepEqual(fake.argsOf("muteFeed"), [["a", "hour"]]);
    assert.deepEqual(state().feeds.mutes.get("a"), { kind: "until", untilMs: 77 });
    await actions.feeds.mute("a", "off");
    assert.ok(!state().feeds.mutes.has("a"));
  });

  test("remove forgets the feed and shows the timeline; a failure keeps it", async () => {
    const { actions, state } = await started();
    assert.equal(await actions.feeds.remove("a"), true);
    assert.deepEqual(state().feeds.ids, ["b"]);
    const failing = await started({ removeFeed: fail("io", "locked") });
    assert.equal(await failing.actions.feeds.remove("a"), false);
    assert.deepEqual(failing.state().feeds.ids, ["a", "b"]);
    assert.equal(failing.state().app.notices.at(-1).message, "Could not remove the feed: locked");
  });

  test("addDemoFeed adds the returned feed; reconnect calls reconnect_feed", async () => {
    const { actions, fake, state } = await started({ addDemoFeed: feed("demo", { demo: true }) });
    await actions.feeds.addDemoFeed();
    assert.deepEqual(state().feeds.ids, ["a", "b", "demo"]);
    await actions.feeds.reconnect("b");
    assert.deepEqual(fake.argsOf("reconnectFeed"), [["b"]]);
  });
});
