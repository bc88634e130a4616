// render/message.js: what an event says (ntfy, Gotify, other JSON, text) and which URLs are links.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describe as read, summaryLine, titleOf, webUrl, PRIORITY_NAMES } from "../../../ui/js/render/message.js";

const json = (value) => JSON.stringify(value);

describe("webUrl", () => {
  const cases = [
    // [input, url or null]
    ["https://x.org/a?b=1#c", "https://x.org/a?b=1#c"],
    ["http://x.org", "http://x.org/"],
    ["  https://x.org/a  ", "https://x.org/a"],
    ["HTTPS://X.ORG", "https://x.org/"],
    ["javascript:alert(1)", null],
    ["JavaScript:alert(1)", null],
    ["file:///etc/passwd", null],
    ["data:text/html,<b>x</b>", null],
    ["mailto:a@b.org", null],
    ["ftp://x.org", null],
    ["/relative/path", null],
    ["x.org", null],
    ["https://", null],
    ["", null],
    [42, null],
    [null, null],
    [undefined, null],
  ];
  for (const [input, want] of cases) {
    test(`webUrl(${JSON.stringify(input) ?? "undefined"}) → ${want}`, () => assert.equal(webUrl(input), want));
  }
});

describe("ntfy", () => {
  test("a full message: title with emoji from tags, other tags kept, priority, click, view links", () => {
    const d = read(
      json({
        id: "abc",
        topic: "alerts",
        title: "Server",
        message: "Disk full",
        tags: ["warning", " skull ", "disk", "", 5],
        priority: 5,
        click: "https://x.org/click",
        actions: [
          { action: "view", label: "Open", url: "https://x.org/a" },
          { action: "view", label: "Evil", url: "javascript:alert(1)" },
          { action: "view", label: "Local", url: "file:///etc/passwd" },
          { action: "http", label: "Post", url: "https://x.org/post" },
          { action: "VIEW", label: "Docs", url: "http://docs.x.org" },
          { action: "view", url: "https://x.org/unlabelled" },
          "not an action",
          null,
        ],
      }),
    );
    assert.deepEqual(d, {
      kind: "ntfy",
      title: "⚠️ 💀 Server",
      message: "Disk full",
      tags: ["disk"],
      priority: 5,
      click: "https://x.org/click",
      links: [
        { label: "Open", url: "https://x.org/a" },
        { label: "Docs", url: "http://docs.x.org/" },
      ],
      pretty: null,
    });
  });

  test("a bare {message} from any server reads as ntfy with defaults", () => {
    assert.deepEqual(read(json({ message: "hi" })), { kind: "ntfy", title: null, message: "hi", tags: [], priority: 3, click: null, links: [], pretty: null });
  });

  test("emoji only, no title: the title is the emoji", () => {
    assert.equal(read(json({ message: "m", tags: ["tada", "+1"] })).title, "🎉 👍");
  });

  test("leading whitespace before the JSON is fine", () => {
    assert.equal(read(`  \n${json({ message: "m" })}`).kind, "ntfy");
  });

  const priorities = [
    // [priority field, 1–5]
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 5],
    [0, 3],
    [6, 3],
    [4.5, 3],
    ["5", 3],
    [null, 3],
    [undefined, 3],
  ];
  for (const [priority, want] of priorities) {
    test(`ntfy priority ${JSON.stringify(priority) ?? "missing"} → ${want}`, () => assert.equal(read(json({ message: "m", priority })).priority, want));
  }

  test("a click that is not http(s) is dropped", () => {
    for (const click of ["javascript:alert(1)", "file:///x", "ntfy://x", 5]) assert.equal(read(json({ message: "m", click })).click, null);
  });

  test("at most 3 view links", () => {
    const actions = Array.from({ length: 5 }, (_, i) => ({ action: "view", label: `L${i}`, url: `https://x.org/${i}` }));
    assert.deepEqual(read(json({ message: "m", actions })).links.map((l) => l.label), ["L0", "L1", "L2"]);
  });

  test("only valid view links count towards the 3", () => {
    const actions = [
      { action: "view", label: "bad", url: "javascript:x" },
      ...Array.from({ length: 3 }, (_, i) => ({ action: "view", label: `L${i}`, url: `https://x.org/${i}` })),
    ];
    assert.deepEqual(read(json({ message: "m", actions })).links.map((l) => l.label), ["L0", "L1", "L2"]);
  });
});

describe("Gotify", () => {
  test("recognized by appid: title, message, priority", () => {
    assert.deepEqual(read(json({ id: 1, appid: 3, title: "Backup", message: "done", priority: 8, date: "2024-01-01T00:00:00Z" })), {
      kind: "gotify",
      title: "Backup",
      message: "done",
      tags: [],
      priority: 4,
      click: null,
      links: [],
      pretty: null,
    });
  });

  test("recognized by extras; the click URL comes from client::notification", () => {
    const d = read(json({ message: "m", extras: { "client::notification": { click: { url: "https://x.org/g" } } } }));
    assert.equal(d.kind, "gotify");
    assert.equal(d.click, "https://x.org/g");
    assert.equal(d.priority, 3);
  });

  test("a javascript: click in extras is dropped; tags are not read", () => {
    const d = read(json({ appid: 1, message: "m", tags: ["warning"], extras: { "client::notification": { click: { url: "javascript:x" } } } }));
    assert.deepEqual([d.kind, d.click, d.tags, d.title], ["gotify", null, [], null]);
  });

  test("appid that is not a number and extras that are not an object mean ntfy", () => {
    assert.equal(read(json({ appid: "3", message: "m" })).kind, "ntfy");
    assert.equal(read(json({ extras: null, message: "m" })).kind, "ntfy");
  });

  const priorities = [
    // Gotify 0–10 → ntfy 1–5, as the engine's Priority::from_gotify; anything else is the default.
    [0, 1],
    [1, 2],
    [3, 2],
    [4, 3],
    [7, 3],
    [8, 4],
    [9, 4],
    [10, 5],
    [11, 3],
    [-1, 3],
    [5.5, 3],
    ["8", 3],
    [undefined, 3],
  ];
  for (const [priority, want] of priorities) {
    test(`Gotify priority ${JSON.stringify(priority) ?? "missing"} → ${want}`, () => assert.equal(read(json({ appid: 1, message: "m", priority })).priority, want));
  }
});

describe("other JSON and text", () => {
  const plain = { title: null, tags: [], priority: 3, click: null, links: [] };
  const cases = [
    // [name, data, expected]
    ["an object without a string message is pretty-printed", json({ a: 1, b: [true] }), { kind: "json", message: "", pretty: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}', ...plain }],
    ["a message that is not a string", json({ message: 5 }), { kind: "json", message: "", pretty: '{\n  "message": 5\n}', ...plain }],
    ["an array", "[1,2]", { kind: "json", message: "", pretty: "[\n  1,\n  2\n]", ...plain }],
    ["an array of ntfy messages is just JSON", json([{ message: "m" }]), { kind: "json", message: "", pretty: '[\n  {\n    "message": "m"\n  }\n]', ...plain }],
    ["an empty object", "{}", { kind: "json", message: "", pretty: "{}", ...plain }],
    ["plain text", "hello world", { kind: "text", message: "hello world", pretty: null, ...plain }],
    ["empty data", "", { kind: "text", message: "", pretty: null, ...plain }],
    ["invalid JSON starting with {", "{not json", { kind: "text", message: "{not json", pretty: null, ...plain }],
    ["invalid JSON starting with [", "[ERROR] disk", { kind: "text", message: "[ERROR] disk", pretty: null, ...plain }],
    ["a JSON number is text", "42", { kind: "text", message: "42", pretty: null, ...plain }],
    ["a JSON string is text", '"quoted"', { kind: "text", message: '"quoted"', pretty: null, ...plain }],
    ["null is text", "null", { kind: "text", message: "null", pretty: null, ...plain }],
  ];
  for (const [name, data, want] of cases) {
    test(name, () => assert.deepEqual(read(data), want));
  }
});

describe("summaryLine", () => {
  test("the message with whitespace collapsed, trimmed, at most 300 characters", () => {
    assert.equal(summaryLine(read(json({ message: "  line one\n\nline  two " })), ""), "line one line two");
    assert.equal(summaryLine(read("x".repeat(400)), "").length, 300);
  });

  test("JSON: the raw data, whitespace collapsed", () => {
    const data = '{\n  "a": 1\n}';
    assert.equal(summaryLine(read(data), data), '{ "a": 1 }');
  });

  test("priority names follow ntfy's 1–5", () => {
    assert.deepEqual(PRIORITY_NAMES.slice(1), ["min", "low", "default", "high", "max"]);
  });
});

describe("titleOf (as the notification template titles an event)", () => {
  for (const [data, type, want] of [
    ['{"title":"Deploy","message":"ok"}', "deploy", "Deploy"],
    ['{"message":"ok"}', "message", "Builds"],
    ["plain text", "deploy", "Builds · deploy"],
    ["plain text", "", "Builds"],
    ['{"a":1}', "update", "Builds · update"],
  ]) {
    test(`${data} (${type || "no type"}) → ${want}`, () => assert.equal(titleOf(read(data), "Builds", type), want));
  }
});

test("an ntfy view action's name is read like the template reads it (trimmed, any case)", () => {
  const d = read(JSON.stringify({ message: "m", actions: [{ action: " View ", label: "Open", url: "https://x.example/" }] }));
  assert.deepEqual(d.links, [{ label: "Open", url: "https://x.example/" }]);
});
