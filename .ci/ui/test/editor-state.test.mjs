// state/editor.js: the feed editor's form, its headers (saved values masked) and the draft.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as editor from "../../../ui/js/state/editor.js";
import { feed } from "../support/fixtures.mjs";

describe("forNew / forFeed", () => {
  test("a new feed: blank fields, one blank header row, the default rule, prefill applied", () => {
    const e = editor.forNew({ url: "https://ntfy.sh/x/sse" });
    assert.equal(e.feedId, null);
    assert.deepEqual(e.fields, { name: "", url: "https://ntfy.sh/x/sse", caCert: "", idleTimeout: "", resume: "auto" });
    assert.deepEqual(e.headers, [{ name: "", value: "", saved: false }]);
    assert.deepEqual(e.rule, editor.defaultRule());
    assert.equal(e.ruleChanged, false);
  });

  test("a saved feed: its fields, its headers masked (saved, no value), its rule over the defaults", () => {
    const f = feed("a", { headerNames: ["Authorization", "X-Key"], caCert: "/etc/ca.pem", idleTimeoutSecs: 30, resume: "ntfySince" });
    const e = editor.forFeed(f, { enabled: false, minPriority: "high", sound: { kind: "none" }, connectionAlertMins: null, silenceAlertHours: 2 });
    assert.equal(e.feedId, "a");
    assert.deepEqual(e.fields, { name: "Feed a", url: "https://example.test/a", caCert: "/etc/ca.pem", idleTimeout: "30", resume: "ntfySince" });
    assert.deepEqual(e.headers, [
      { name: "Authorization", value: "", saved: true },
      { name: "X-Key", value: "", saved: true },
    ]);
    assert.equal(e.rule.enabled, false);
    assert.equal(e.rule.minPriority, "high");
    assert.deepEqual(e.rule.mute, { kind: "off" }, "defaults fill what the rule lacks");
  });

  test("a saved feed without headers, CA or timeout: one blank row, empty texts", () => {
    const e = editor.forFeed(feed("a"), undefined);
    assert.deepEqual(e.headers, [{ name: "", value: "", saved: false }]);
    assert.equal(e.fields.caCert, "");
    assert.equal(e.fields.idleTimeout, "");
    assert.deepEqual(e.rule, editor.defaultRule());
  });

  test("saved(): edits the saved feed, masked, keeping the test and the preview", () => {
    let e = editor.setHeader(editor.forNew(), 0, { name: "Authorization", value: "Bearer s3cret" });
    e = editor.setTest(e, { state: "done", result: null, error: "x" });
    const s = editor.saved(e, feed("new", { headerNames: ["Authorization"] }));
    assert.equal(s.feedId, "new");
    assert.deepEqual(s.headers, [{ name: "Authorization", value: "", saved: true }]);
    assert.equal(s.test, e.test);
    assert.equal(s.saving, false);
  });
});

describe("fields and headers", () => {
  test("setField clears only its own error", () => {
    const e = editor.saveFailed(editor.forNew(), { code: "invalid", field: "url", message: "bad url" });
    const withMore = { ...e, errors: { url: "bad url", name: "empty", form: "general" } };
    const next = editor.setField(withMore, "url", "https://x.test");
    assert.deepEqual(next.errors, { name: "empty", form: "general" });
    assert.equal(next.fields.url, "https://x.test");
    assert.deepEqual(withMore.errors, { url: "bad url", name: "empty", form: "general" }, "not mutated");
  });

  test("setField of a field that is no form field (resume) keeps the errors", () => {
    const e = { ...editor.forNew(), errors: { url: "bad" } };
    assert.deepEqual(editor.setField(e, "resume", "lastEventId").errors, { url: "bad" });
  });

  test("setField with the same value returns the same slice", () => {
    const e = editor.forNew({ name: "x" });
    assert.equal(editor.setField(e, "name", "x"), e);
  });

  const renames = [
    // [change, still saved?]
    [{ value: "new secret" }, true],
    [{ name: "Authorization" }, true],
    [{ name: "  authorization " }, true],
    [{ name: "X-Api-Key" }, false],
    [{ name: "" }, false],
  ];
  for (const [change, saved] of renames) {
    test(`setHeader ${JSON.stringify(change)} on a saved header: saved=${saved}`, () => {
      const e = editor.forFeed(feed("a", { headerNames: ["Authorization", "X-Other"] }), undefined);
      const next = editor.setHeader({ ...e, errors: { headers: "bad", url: "bad" } }, 0, change);
      assert.equal(next.headers[0].saved, saved);
      assert.deepEqual(next.headers[1], e.headers[1]);
      assert.deepEqual(next.errors, { url: "bad" }, "only the headers error goes");
    });
  }

  test("addHeader / removeHeader; removing the last row leaves a blank one", () => {
    let e = editor.addHeader(editor.forNew());
    assert.equal(e.headers.length, 2);
    e = editor.removeHeader(editor.removeHeader(e, 0), 0);
    assert.deepEqual(e.headers, [{ name: "", value: "", saved: false }]);
  });

  const texts = [
    // [name, rows, text]
    ["nothing", [{ name: "", value: "", saved: false }], ""],
    ["one header, trimmed", [{ name: " X-Key ", value: " abc ", saved: false }], "X-Key: abc"],
    ["a saved header left blank keeps its value", [{ name: "Authorization", value: "", saved: true }], "Authorization: "],
    ["a saved header replaced", [{ name: "Authorization", value: "Bearer new", saved: true }], "Authorization: Bearer new"],
    [
      "blank rows left out, order kept",
      [
        { name: "A", value: "1", saved: false },
        { name: "  ", value: " ", saved: false },
        { name: "B", value: "", saved: true },
      ],
      "A: 1\nB: ",
    ],
    ["a value without a name still goes (the backend names the error)", [{ name: "", value: "v", saved: false }], ": v"],
  ];
  for (const [name, rows, want] of texts) {
    test(`headersText: ${name}`, () => assert.equal(editor.headersText(rows), want));
  }
});

describe("toDraft", () => {
  const timeouts = [
    // [typed, idleTimeoutSecs or "error"]
    ["", null],
    ["   ", null],
    ["30", 30],
    [" 45 ", 45],
    ["0", 0],
    ["86400", 86400],
    ["abc", "error"],
    ["1.5", "error"],
    ["-3", "error"],
    ["9".repeat(20), "error"],
  ];
  for (const [typed, want] of timeouts) {
    test(`idle timeout "${typed}" → ${want}`, () => {
      const built = editor.toDraft(editor.forNew({ idleTimeout: typed }));
      if (want === "error") {
        assert.ok("error" in built);
        assert.equal(built.error.code, "invalid");
        assert.equal(built.error.field, "idleTimeout");
        assert.match(built.error.message, /whole number/);
      } else {
        assert.ok("draft" in built);
        assert.equal(built.draft.idleTimeoutSecs, want);
      }
    });
  }

  test("the draft carries every field; the CA path is trimmed, the headers as text", () => {
    let e = editor.forNew({ name: "N", url: "https://x.test/sse", caCert: "  /etc/ca.pem ", resume: "lastEventId" });
    e = editor.setHeader(e, 0, { name: "X-Key", value: "k" });
    assert.deepEqual(editor.toDraft(e), {
      draft: { name: "N", url: "https://x.test/sse", headers: "X-Key: k", caCert: "/etc/ca.pem", idleTimeoutSecs: null, resume: "lastEventId" },
    });
  });

  test("a failed draft's error lands under its field via saveFailed", () => {
    const built = editor.toDraft(editor.forNew({ idleTimeout: "x" }));
    const e = editor.saveFailed(editor.saveStarted(editor.forNew()), built.error);
    assert.equal(e.saving, false);
    assert.deepEqual(Object.keys(e.errors), ["idleTimeout"]);
  });
});

describe("save outcome and rule", () => {
  const failures = [
    // [rejection, errors]
    [{ code: "invalid", field: "url", message: "Enter an http(s) URL." }, { url: "Enter an http(s) URL." }],
    [{ code: "invalid", field: "caCert", message: "No such file." }, { caCert: "No such file." }],
    [{ code: "invalid", field: "somethingElse", message: "Odd." }, { form: "Odd." }],
    [{ code: "duplicate", message: "Already subscribed." }, { form: "Already subscribed." }],
  ];
  for (const [err, want] of failures) {
    test(`saveFailed ${err.code}/${err.field ?? "-"}`, () => {
      const e = editor.saveFailed(editor.saveStarted(editor.forNew()), err);
      assert.equal(e.saving, false);
      assert.deepEqual(e.errors, want);
    });
  }

  test("saveStarted clears the errors", () => {
    const e = editor.saveStarted({ ...editor.forNew(), errors: { url: "x" } });
    assert.deepEqual([e.saving, e.errors], [true, {}]);
  });

  test("setRule merges and marks the rule changed", () => {
    const e = editor.setRule(editor.forNew(), { minPriority: "high" });
    assert.equal(e.ruleChanged, true);
    assert.equal(e.rule.minPriority, "high");
    assert.equal(e.rule.enabled, true);
  });

  test("confirmDelete with the same answer returns the same slice", () => {
    const e = editor.forNew();
    assert.equal(editor.confirmDelete(e, false), e);
    assert.equal(editor.confirmDelete(e, true).confirmDelete, true);
  });
});

describe("the last test goes stale when the connection changes", () => {
  const tested = () => editor.setTest(editor.forNew({ url: "https://a.example/sse" }), { state: "done", result: null, error: "x" });
  for (const [what, change, stale] of [
    ["the URL", (e) => editor.setField(e, "url", "https://b.example/sse"), true],
    ["the CA file", (e) => editor.setField(e, "caCert", "/ca.pem"), true],
    ["the resume mode", (e) => editor.setField(e, "resume", "lastEventId"), true],
    ["a header", (e) => editor.setHeader(e, 0, { name: "Authorization" }), true],
    ["the name", (e) => editor.setField(e, "name", "Builds"), false],
  ]) {
    test(`${what}: ${stale ? "cleared" : "kept"}`, () => {
      const after = change(tested());
      assert.equal(after.test.state, stale ? "idle" : "done");
    });
  }

  test("a test still running is not forgotten", () => {
    const running = editor.setTest(editor.forNew(), { state: "running", result: null, error: null });
    assert.equal(editor.setField(running, "url", "https://c.example").test.state, "running");
  });
});

describe("secretsNote", () => {
  test("says where a saved feed's values are, and why the file when a keychain was wanted", () => {
    const f = (secrets) => feed("a", { headerNames: ["Authorization"], secrets });
    assert.equal(editor.secretsNote(f("keychain"), true), "Saved values are in the system keychain.");
    assert.match(editor.secretsNote(f("keychainWaiting"), true), /has not given them to Herald yet: unlock it, or type the values again/);
    assert.match(editor.secretsNote(f("file"), true), /settings file, readable only by you: no system keychain took them/);
    assert.equal(editor.secretsNote(f("file"), false), "Saved values are in Herald's settings file, readable only by you.");
    assert.equal(editor.secretsNote(f("file"), null), "Saved values are in Herald's settings file, readable only by you.");
  });

  test("a new feed (or one without headers) says where values will go", () => {
    assert.match(editor.secretsNote(undefined, true), /^Values are kept in the system keychain where one answers/);
    assert.match(editor.secretsNote(feed("a"), null), /^Values are kept in the system keychain where one answers/);
    assert.equal(editor.secretsNote(undefined, false), "Values are kept in Herald's settings file, readable only by you.");
  });
});
