// actions/editor.js: open, edit, test, preview and save a feed, against a fake ipc.js.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PREVIEW_DELAY_MS } from "../../../ui/js/actions/editor.js";
import { defaultRule } from "../../../ui/js/state/editor.js";
import { fail, setupActions } from "../support/fake-api.mjs";
import { feed, settle } from "../support/fixtures.mjs";

const TEST_OK = { ok: true, status: 200, contentType: "text/event-stream", elapsedMs: 12, events: [{ type: "message", data: "hi", lastEventId: "" }], failure: null };

/** The actions with feed "a" (a saved Authorization header) listed, the editor open on a new feed. */
async function editing(overrides = {}) {
  const s = await setupActions({
    listFeeds: [feed("a", { headerNames: ["Authorization"], idleTimeoutSecs: 30 })],
    addFeed: (draft) => feed("new", { name: draft.name, url: draft.url }),
    updateFeed: (id, draft) => feed(id, { name: draft.name, url: draft.url, headerNames: ["Authorization"] }),
    ...overrides,
  });
  await s.actions.start();
  s.fake.clear();
  return s;
}

function fillNew(actions) {
  actions.editor.openNew();
  actions.editor.setField("name", "Alerts");
  actions.editor.setField("url", "https://ntfy.example/alerts/sse");
}

const NEW_DRAFT = { name: "Alerts", url: "https://ntfy.example/alerts/sse", headers: "", caCert: "", idleTimeoutSecs: null, resume: "auto" };

describe("save", () => {
  test("a new feed: add_feed with the draft, no set_feed_rule when the rule is unchanged, then its timeline", async () => {
    const { actions, fake, state } = await editing();
    fillNew(actions);
    assert.equal(state().app.screen, "editor");
    assert.equal(await actions.editor.save(), true);
    assert.deepEqual(fake.argsOf("addFeed"), [[NEW_DRAFT]]);
    assert.ok(!fake.names().includes("setFeedRule"));
    assert.deepEqual(state().feeds.ids, ["a", "new"]);
    assert.equal(state().editor.feedId, "new");
    assert.equal(state().app.screen, "timeline");
    assert.equal(state().timeline.filter.feed, "new");
    assert.deepEqual(fake.argsOf("listEvents").at(-1), [{ feed: "new", limit: 100 }]);
  });

  test("a new feed with a changed rule: add_feed, then set_feed_rule with the new id", async () => {
    const { actions, fake } = await editing();
    fillNew(actions);
    actions.editor.setRule({ minPriority: "high" });
    assert.equal(await actions.editor.save(), true);
    const names = fake.names();
    assert.ok(names.indexOf("addFeed") < names.indexOf("setFeedRule"));
    assert.deepEqual(fake.argsOf("setFeedRule"), [["new", { ...defaultRule(), minPriority: "high" }]]);
  });

  test("an edit: update_feed with the id; a saved header left blank goes as 'Name: '", async () => {
    const { actions, fake, state } = await editing();
    await actions.editor.openEdit("a");
    assert.deepEqual(state().editor.headers, [{ name: "Authorization", value: "", saved: true }]);
    assert.equal(state().editor.fields.idleTimeout, "30");
    actions.editor.setField("name", "Renamed");
    assert.equal(await actions.editor.save(), true);
    assert.deepEqual(fake.argsOf("updateFeed"), [["a", { name: "Renamed", url: "https://example.test/a", headers: "Authorization: ", caCert: "", idleTimeoutSecs: 30, resume: "auto" }]]);
    assert.equal(state().feeds.byId.get("a").name, "Renamed");
  });

  test('an "invalid" rejection puts the message under the field; the editor stays', async () => {
    const { actions, fake, state } = await editing({ addFeed: fail("invalid", "Enter an http(s) URL.", "url") });
    fillNew(actions);
    assert.equal(await actions.editor.save(), false);
    assert.deepEqual(state().editor.errors, { url: "Enter an http(s) URL." });
    assert.equal(state().editor.saving, false);
    assert.equal(state().app.screen, "editor");
    assert.ok(!fake.names().includes("setFeedRule"));
    assert.deepEqual(state().feeds.ids, ["a"]);
  });

  test("another rejection goes on the form's line", async () => {
    const { actions, state } = await editing({ addFeed: fail("duplicate", "You already subscribe to this URL.") });
    fillNew(actions);
    await actions.editor.save();
    assert.deepEqual(state().editor.errors, { form: "You already subscribe to this URL." });
  });

  test("an idle timeout that is no whole number is refused before any call", async () => {
    const { actions, fake, state } = await editing();
    fillNew(actions);
    actions.editor.setField("idleTimeout", "soon");
    assert.equal(await actions.editor.save(), false);
    assert.deepEqual(fake.calls, []);
    assert.deepEqual(Object.keys(state().editor.errors), ["idleTimeout"]);
    actions.editor.setField("idleTimeout", "60");
    assert.deepEqual(state().editor.errors, {}, "editing the field clears its error");
  });

  test("the feed saves but the rule does not: say so, stay in the editor with the rule still changed", async () => {
    const { actions, state } = await editing({ setFeedRule: fail("io", "settings file is read-only") });
    fillNew(actions);
    actions.editor.setRule({ enabled: false });
    assert.equal(await actions.editor.save(), false);
    assert.deepEqual(state().feeds.ids, ["a", "new"]);
    assert.equal(state().editor.feedId, "new");
    assert.equal(state().editor.ruleChanged, true);
    assert.equal(state().editor.rule.enabled, false);
    assert.match(state().editor.errors.form, /The feed is saved, but its notification rule is not: settings file is read-only/);
    assert.equal(state().app.screen, "editor");
  });

  test("a second save while one runs does nothing", async () => {
    let release;
    const { actions, fake } = await editing({ addFeed: (d) => new Promise((r) => (release = () => r(feed("new", { name: d.name })))) });
    fillNew(actions);
    const first = actions.editor.save();
    assert.equal(await actions.editor.save(), false);
    release();
    assert.equal(await first, true);
    assert.equal(fake.argsOf("addFeed").length, 1);
  });
});

describe("test", () => {
  test("stores the FeedTest; the draft and the edited id are sent", async () => {
    const { actions, fake, state } = await editing({ testFeed: TEST_OK });
    await actions.editor.openEdit("a");
    fake.clear();
    await actions.editor.test();
    assert.deepEqual(fake.argsOf("testFeed"), [[{ name: "Feed a", url: "https://example.test/a", headers: "Authorization: ", caCert: "", idleTimeoutSecs: 30, resume: "auto" }, "a"]]);
    assert.deepEqual(state().editor.test, { state: "done", result: TEST_OK, error: null });
  });

  test("a failure to run the test is stored as its error", async () => {
    const { actions, state } = await editing({ testFeed: fail("unknown", "command test_feed not found") });
    fillNew(actions);
    await actions.editor.test();
    assert.deepEqual(state().editor.test, { state: "done", result: null, error: "command test_feed not found" });
    assert.deepEqual(state().editor.errors, {});
  });

  test('an "invalid" draft: the message under the field, no test error', async () => {
    const { actions, fake, state } = await editing({ testFeed: fail("invalid", "Not a PEM file.", "caCert") });
    fillNew(actions);
    await actions.editor.test();
    assert.deepEqual(fake.argsOf("testFeed"), [[NEW_DRAFT, null]]);
    assert.deepEqual(state().editor.test, { state: "done", result: null, error: null });
    assert.deepEqual(state().editor.errors, { caCert: "Not a PEM file." });
  });

  test("shows 'running' while it runs, and a second press meanwhile does nothing", async () => {
    let release;
    const { actions, fake, state } = await editing({ testFeed: () => new Promise((r) => (release = () => r(TEST_OK))) });
    fillNew(actions);
    const running = actions.editor.test();
    assert.equal(state().editor.test.state, "running");
    await actions.editor.test();
    release();
    await running;
    assert.equal(fake.argsOf("testFeed").length, 1);
    assert.equal(state().editor.test.result, TEST_OK);
  });
});

describe("open, rule and preview", () => {
  const message = { title: "T", body: "B", priority: "default", click: null, actions: [], group: null, tags: [] };

  test("openEdit loads the feed's rule and previews its newest event", async () => {
    const { actions, fake, state } = await editing({
      notificationSettings: { feeds: { a: { enabled: true, minPriority: "low", sound: { kind: "none" }, mapping: { title: "/t" }, connectionAlertMins: 5, silenceAlertHours: null, mute: { kind: "forever" } } }, flood: { feedBurst: 1, feedWindowSecs: 1, globalPerMinute: 1 } },
      previewNotification: message,
    });
    await actions.editor.openEdit("a");
    assert.equal(state().editor.rule.minPriority, "low");
    assert.equal(state().editor.ruleChanged, false);
    assert.deepEqual(state().feeds.mutes.get("a"), { kind: "forever" });
    assert.deepEqual(fake.argsOf("previewNotification"), [["a", { title: "/t" }]]);
    assert.deepEqual(state().editor.preview, { state: "ready", message, error: null });
  });

  test("openEdit of an unknown feed does nothing", async () => {
    const { actions, fake, state } = await editing();
    await actions.editor.openEdit("zzz");
    assert.deepEqual(fake.calls, []);
    assert.equal(state().app.screen, "timeline");
  });

  test(`a mapping change previews again ${PREVIEW_DELAY_MS} ms after the last one; no event yet → none`, async () => {
    const { actions, fake, state, timers } = await editing({ previewNotification: null });
    await actions.editor.openEdit("a");
    fake.clear();
    actions.editor.setRule({ mapping: { title: "/a" } });
    actions.editor.setRule({ mapping: { title: "/ab" } });
    actions.editor.setRule({ minPriority: "max" });
    assert.deepEqual(timers.pending, [PREVIEW_DELAY_MS]);
    timers.run();
    await settle();
    assert.deepEqual(fake.argsOf("previewNotification"), [["a", { title: "/ab" }]]);
    assert.equal(state().editor.preview.state, "none");
  });

  test("a failed preview stores its error", async () => {
    const { actions, state } = await editing({ previewNotification: fail("invalid", "bad pointer") });
    await actions.editor.openEdit("a");
    assert.deepEqual(state().editor.preview, { state: "failed", message: null, error: "bad pointer" });
  });

  test("a new feed has nothing to preview", async () => {
    const { actions, fake } = await editing();
    actions.editor.openNew();
    await actions.editor.preview();
    assert.deepEqual(fake.calls, []);
  });
});
