// @ts-check
// The open event's details beside the list: title, tags, priority, the message with its web
// links clickable (opened in the system browser), other JSON pretty-printed with a copy
// button, and the raw event. Text only; links are buttons that ask the backend to open an
// http(s) URL, never anchors the webview would follow.

import { byId, el, setText, show } from "../../dom.js";
import { eventType, formatDateTime } from "../../format.js";
import { highlight, linkify } from "../../render/highlight.js";
import { PRIORITY_NAMES, describe, titleOf } from "../../render/message.js";
import * as timeline from "../../state/timeline.js";

/** @typedef {import("../../state/store.js").Store} Store */
/** @typedef {import("../../state/store.js").State} State */
/** @typedef {import("../../actions/index.js").Actions} Actions */
/** @typedef {import("../../types.js").EventRecord} EventRecord */

/**
 * Writes `text` with its web links as buttons and the search words marked.
 * @param {Element} parent
 * @param {string} text
 * @param {string[]} terms
 */
function writeRich(parent, text, terms) {
  /** @type {Node[]} */
  const nodes = [];
  for (const piece of linkify(text)) {
    const runs = highlight(piece.text, terms).map((r) => (r.match ? el("mark", { text: r.text }) : document.createTextNode(r.text)));
    if (piece.url) {
      const link = el("button", { className: "link inline-link", attrs: { type: "button", "data-url": piece.url, title: piece.url } });
      link.replaceChildren(...runs);
      nodes.push(link);
    } else nodes.push(...runs);
  }
  parent.replaceChildren(...nodes);
}

/**
 * Copies text to the clipboard (the async API where the webview allows it, else a selection).
 * @param {string} text
 * @returns {Promise<boolean>}
 */
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea", { className: "visually-hidden" });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountDetail(store, actions) {
  const pane = byId("event-detail", HTMLElement);
  const title = byId("detail-title", HTMLHeadingElement);
  const meta = byId("detail-meta", HTMLParagraphElement);
  const tags = byId("detail-tags", HTMLUListElement);
  const message = byId("detail-message", HTMLParagraphElement);
  const links = byId("detail-links", HTMLDivElement);
  const jsonWrap = byId("detail-json-wrap", HTMLDivElement);
  const json = byId("detail-json", HTMLPreElement);
  const copyButton = byId("detail-copy", HTMLButtonElement);
  const raw = byId("detail-raw", HTMLPreElement);
  const close = byId("detail-close", HTMLButtonElement);
  /** @type {EventRecord | null} */
  let shown = null;
  /** @type {string[]} */
  let shownTerms = [];

  /** Closes the details and puts the keyboard back on the list. */
  const closeDetails = () => {
    actions.timeline.select(null);
    byId("timeline", HTMLDivElement).focus();
  };
  close.addEventListener("click", closeDetails);
  pane.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeDetails();
  });
  copyButton.addEventListener("click", async () => {
    const ok = await copy(json.textContent ?? "");
    setText(copyButton, ok ? "Copied" : "Copy failed");
    setTimeout(() => setText(copyButton, "Copy"), 1500);
  });
  // One listener for every link button in the pane.
  pane.addEventListener("click", (e) => {
    const target = e.target instanceof Element ? e.target.closest("[data-url]") : null;
    const url = target?.getAttribute("data-url");
    if (url) void actions.settings.openLink(url);
  });

  /** @param {State} state */
  function render(state) {
    const t = state.timeline;
    const ev = t.selected === null ? undefined : timeline.rowAt(t, timeline.indexOf(t, t.selected));
    show(pane, ev !== undefined);
    if (!ev) {
      shown = null;
      return;
    }
    if (ev === shown && state.search.terms === shownTerms) return;
    shown = ev;
    shownTerms = state.search.terms;
    const d = describe(ev.data);
    const terms = state.search.terms;
    writeRich(title, titleOf(d, ev.feedName, ev.type), terms);
    const flags = [ev.catchUp ? "caught up after a reconnect" : "", ev.silenced ? "silenced" : ""].filter(Boolean);
    setText(
      meta,
      [ev.feedName, eventType(ev.type), ev.lastEventId ? `id ${ev.lastEventId}` : "no id", formatDateTime(ev.receivedAt), ...flags].join(" · "),
    );
    const chips = d.tags.map((tag) => el("li", { className: "tag", text: tag }));
    if (d.priority !== 3) chips.unshift(el("li", { className: "tag priority", text: `priority ${PRIORITY_NAMES[d.priority]}`, attrs: { "data-priority": String(d.priority) } }));
    tags.replaceChildren(...chips);
    show(message, d.kind !== "json");
    writeRich(message, d.message, terms);
    const buttons = [];
    if (d.click) buttons.push(el("button", { className: "button small", text: "Open link", attrs: { type: "button", "data-url": d.click, title: d.click } }));
    for (const link of d.links) buttons.push(el("button", { className: "button small", text: link.label, attrs: { type: "button", "data-url": link.url, title: link.url } }));
    links.replaceChildren(...buttons);
    show(jsonWrap, d.pretty !== null);
    setText(json, d.pretty ?? "");
    setText(raw, ev.data);
  }

  store.subscribe(render);
  render(store.get());
}
