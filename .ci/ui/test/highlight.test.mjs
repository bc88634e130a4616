// render/highlight.js: search-term runs and web links, as text runs (never markup).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { highlight, linkify } from "../../../ui/js/render/highlight.js";

/** Runs as a compact string: matches in [brackets]. */
const show = (runs) => runs.map((r) => (r.match ? `[${r.text}]` : r.text)).join("");

describe("highlight", () => {
  const cases = [
    // [name, text, terms (longest first, as searchTerms gives them), shown]
    ["no terms", "disk full", [], "disk full"],
    ["empty terms ignored", "disk full", [""], "disk full"],
    ["empty text", "", ["disk"], ""],
    ["one term", "the disk is full", ["disk"], "the [disk] is full"],
    ["case-insensitive, original case kept", "Disk DISK disk", ["disk"], "[Disk] [DISK] [disk]"],
    ["two terms", "disk full on host", ["disk", "full"], "[disk] [full] on host"],
    ["at the edges", "diskfull", ["disk", "full"], "[disk][full]"],
    ["the longer term wins where both start", "foobar foo", ["foobar", "foo"], "[foobar] [foo]"],
    ["a term inside a longer match is not split out", "foobar", ["foobar", "oba"], "[foobar]"],
    ["leftmost match wins an overlap", "abcd", ["bcd", "ab"], "[ab]cd"],
    ["repeated occurrences", "aaaa", ["aa"], "[aa][aa]"],
    ["unicode of unchanged length", "Ärger über Öl", ["über", "öl"], "Ärger [über] [Öl]"],
    ["emoji around a match", "🔥 fire 🔥", ["fire"], "🔥 [fire] 🔥"],
    // Lower-casing "İ" gives two code units: offsets would shift, so nothing is highlighted.
    ["lower-casing changes the length", "İstanbul disk", ["disk"], "İstanbul disk"],
  ];
  for (const [name, text, terms, want] of cases) {
    test(name, () => {
      const runs = highlight(text, terms);
      assert.equal(show(runs), want);
      assert.equal(runs.map((r) => r.text).join(""), text, "the runs put together are the text");
    });
  }

  test("the length-changing case returns one plain run", () => {
    assert.deepEqual(highlight("İ disk", ["disk"]), [{ text: "İ disk", match: false }]);
  });
});

describe("linkify", () => {
  /** Pieces as a compact string: links as <text|url>. */
  const pieces = (list) => list.map((p) => (p.url ? `<${p.text}|${p.url}>` : p.text)).join("");
  const cases = [
    // [name, text, shown]
    ["no link", "just text", "just text"],
    ["empty", "", ""],
    ["a link", "see https://x.org/a", "see <https://x.org/a|https://x.org/a>"],
    ["trailing full stop stays text", "see https://x.org/a.", "see <https://x.org/a|https://x.org/a>."],
    ["trailing punctuation run stays text", "go to https://x.org/a?!).", "go to <https://x.org/a|https://x.org/a>?!)."],
    ["in parentheses", "(https://x.org/a)", "(<https://x.org/a|https://x.org/a>)"],
    ["comma after a query", "https://x.org/?q=1, then", "<https://x.org/?q=1|https://x.org/?q=1>, then"],
    ["angle brackets end a link", "<https://x.org>", "<<https://x.org|https://x.org/>>"],
    ["quotes end a link", `"http://x.org/a"`, `"<http://x.org/a|http://x.org/a>"`],
    ["two links", "a http://a.org b https://b.org/c", "a <http://a.org|http://a.org/> b <https://b.org/c|https://b.org/c>"],
    ["upper case scheme and host, url normalized", "HTTPS://X.ORG/A", "<HTTPS://X.ORG/A|https://x.org/A>"],
    ["javascript: is never a link", "javascript:alert(1)", "javascript:alert(1)"],
    ["file: and data: are never links", "file:///etc/passwd data:text/html,x", "file:///etc/passwd data:text/html,x"],
    ["a scheme without a host is text", "http:// and https://", "http:// and https://"],
    ["scheme glued to a word is not a link", "xhttps://x.org", "xhttps://x.org"],
    ["a link at the end of a line", "line one https://x.org\nline two", "line one <https://x.org|https://x.org/>\nline two"],
  ];
  for (const [name, text, want] of cases) {
    test(name, () => {
      const list = linkify(text);
      assert.equal(pieces(list), want);
      assert.equal(list.map((p) => p.text).join(""), text, "the pieces put together are the text");
      for (const p of list) if (p.url) assert.match(p.url, /^https?:\/\/[^/]/);
    });
  }
});
