// @ts-check
// The timeline's row elements: a small pool reused as the list scrolls, each refilled with
// the event now at its position. Everything from the event goes in as text nodes: the
// highlighted search words are <mark> elements whose text is set, never parsed.

import { el, setAttr, setText } from "../../dom.js";
import { dayLabel, eventType, formatDateTime, formatShortTime } from "../../format.js";
import { highlight } from "../../render/highlight.js";
import { PRIORITY_NAMES, describe, summaryLine, titleOf } from "../../render/message.js";

/** @typedef {import("../../types.js").EventRecord} EventRecord */

/**
 * What a row shows besides the event itself.
 * @typedef {object} RowContext
 * @property {number} index its position (0 = newest)
 * @property {number} total rows in the list
 * @property {string[]} terms search words to highlight
 * @property {boolean} selected
 * @property {string | null} day the day label when this row starts a new day, else null
 * @property {number} now for "Today"
 */

/**
 * The parts of a row the fill step writes to.
 * @typedef {object} Row
 * @property {HTMLDivElement} node
 * @property {HTMLSpanElement} day
 * @property {HTMLTimeElement} time
 * @property {HTMLSpanElement} priority
 * @property {HTMLSpanElement} title
 * @property {HTMLUListElement} tags
 * @property {HTMLSpanElement} feed
 * @property {HTMLSpanElement} type
 * @property {HTMLSpanElement} id
 * @property {HTMLSpanElement} silenced
 * @property {HTMLDivElement} text
 * @property {EventRecord | null} shown the event it shows now
 * @property {string} key what it was filled from, to skip refilling an unchanged row
 */

/** @returns {Row} */
export function createRow() {
  const day = el("span", { className: "event-day" });
  const time = el("time", { className: "event-time" });
  const priority = el("span", { className: "event-priority" });
  const title = el("span", { className: "event-title" });
  const tags = el("ul", { className: "tags event-tags" });
  const feed = el("span", { className: "event-feed" });
  const type = el("span", { className: "event-type" });
  const id = el("span", { className: "event-id", attrs: { title: "Last-Event-ID" } });
  const silenced = el("span", { className: "event-silenced", text: "silenced", attrs: { title: "Not notified: a silence rule matched" } });
  const text = el("div", { className: "event-data" });
  const node = el("div", { className: "event-row", attrs: { role: "option", "aria-selected": "false" } }, [
    el("div", { className: "event-when" }, [day, time]),
    el("div", { className: "event-main" }, [
      el("div", { className: "event-line" }, [priority, title, tags]),
      text,
    ]),
    el("div", { className: "event-meta" }, [feed, type, id, silenced]),
  ]);
  return { node, day, time, priority, title, tags, feed, type, id, silenced, text, shown: null, key: "" };
}

/**
 * Writes runs of text with the search words marked.
 * @param {Element} parent
 * @param {string} text
 * @param {string[]} terms
 */
export function writeHighlighted(parent, text, terms) {
  parent.replaceChildren(
    ...highlight(text, terms).map((run) => (run.match ? el("mark", { text: run.text }) : document.createTextNode(run.text))),
  );
}

/**
 * Fills a row with the event at its position (or a placeholder while its page loads).
 * @param {Row} row
 * @param {EventRecord | undefined} ev
 * @param {RowContext} ctx
 */
export function fillRow(row, ev, ctx) {
  const { node } = row;
  setAttr(node, "aria-posinset", String(ctx.index + 1));
  setAttr(node, "aria-setsize", String(ctx.total));
  setAttr(node, "aria-selected", String(ctx.selected));
  node.classList.toggle("selected", ctx.selected);
  if (!ev) {
    row.shown = null;
    row.key = "";
    node.classList.add("placeholder");
    node.removeAttribute("data-seq");
    node.removeAttribute("id");
    for (const part of [row.day, row.time, row.priority, row.title, row.feed, row.type, row.id, row.text]) setText(part, "");
    row.tags.replaceChildren();
    setText(row.title, "Loading…");
    return;
  }
  node.classList.remove("placeholder");
  const key = `${ev.seq}|${ev.read}|${ev.silenced}|${ctx.day}|${ctx.terms.join(" ")}`;
  if (row.shown === ev && row.key === key) return;
  row.shown = ev;
  row.key = key;
  node.id = `event-${ev.seq}`;
  node.dataset.seq = String(ev.seq);
  node.classList.toggle("unread", !ev.read);
  node.classList.toggle("is-silenced", ev.silenced);
  const d = describe(ev.data);
  setText(row.day, ctx.day ?? "");
  setText(row.time, formatShortTime(ev.receivedAt));
  setAttr(row.time, "datetime", new Date(ev.receivedAt).toISOString());
  setAttr(row.time, "title", formatDateTime(ev.receivedAt));
  setText(row.priority, d.priority === 3 ? "" : PRIORITY_NAMES[d.priority]);
  row.priority.dataset.priority = String(d.priority);
  writeHighlighted(row.title, titleOf(d, ev.feedName, ev.type), ctx.terms);
  row.tags.replaceChildren(...d.tags.slice(0, 4).map((tag) => el("li", { className: "tag", text: tag })));
  setText(row.feed, ev.feedName);
  const type = eventType(ev.type);
  setText(row.type, type);
  row.type.dataset.default = String(type === "message");
  setText(row.id, ev.lastEventId);
  row.id.hidden = ev.lastEventId === "";
  row.silenced.hidden = !ev.silenced;
  writeHighlighted(row.text, summaryLine(d, ev.data), ctx.terms);
}

/**
 * The day label a row shows: the day of its event when the row above (newer) is another day,
 * or when it is the first row.
 * @param {EventRecord | undefined} ev
 * @param {EventRecord | undefined} above
 * @param {number} now
 * @returns {string | null}
 */
export function rowDay(ev, above, now) {
  if (!ev) return null;
  if (above && new Date(above.receivedAt).toDateString() === new Date(ev.receivedAt).toDateString()) return null;
  return dayLabel(ev.receivedAt, now);
}
