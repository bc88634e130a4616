// @ts-check
// The sidebar: "All feeds", then each feed with its name, a status dot and label (live,
// connecting, retrying in N s, needs attention, paused; muted until …) and its unread count.
// Selecting one filters the timeline; "+ Add feed" opens the editor.

import { byId, el, reconcile, setAttr, setText, show } from "../dom.js";
import { count } from "../format.js";
import * as feedsState from "../state/feeds.js";
import { feedBadge, statusText } from "../status.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {import("../state/store.js").State} State */
/** @typedef {import("../actions/index.js").Actions} Actions */

/**
 * @typedef {object} Item
 * @property {HTMLLIElement} node
 * @property {HTMLButtonElement} button
 * @property {HTMLSpanElement} dot
 * @property {HTMLSpanElement} name
 * @property {HTMLSpanElement} state
 * @property {HTMLSpanElement} badge
 */

/**
 * @param {string} id
 * @param {Actions} actions
 * @returns {Item}
 */
function createItem(id, actions) {
  const dot = el("span", { className: "feed-dot", attrs: { "aria-hidden": "true" } });
  const name = el("span", { className: "feed-name" });
  const state = el("span", { className: "feed-state" });
  const badge = el("span", { className: "unread-badge" });
  const button = el("button", { className: "feed-entry", attrs: { type: "button", "data-feed": id } }, [
    dot,
    el("span", { className: "feed-text" }, [name, state]),
    badge,
  ]);
  button.addEventListener("click", () => void actions.showFeed(id));
  button.addEventListener("dblclick", () => void actions.editor.openEdit(id));
  return { node: el("li", { className: "feed-item" }, [button]), button, dot, name, state, badge };
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountSidebar(store, actions) {
  const all = byId("feed-all", HTMLButtonElement);
  const allBadge = /** @type {HTMLElement} */ (all.querySelector(".unread-badge"));
  const list = byId("feed-list", HTMLUListElement);
  const add = byId("add-feed", HTMLButtonElement);
  /** @type {Map<string, Item>} */
  const items = new Map();
  /** @type {State | null} */
  let last = null;

  all.addEventListener("click", () => void actions.showFeed(null));
  add.addEventListener("click", () => actions.editor.openNew());

  /** @param {State} state */
  function render(state) {
    const f = state.feeds;
    const selected = state.app.screen === "editor" ? state.editor.feedId : state.timeline.filter.feed;
    if (last && last.feeds === f && last.app.now === state.app.now && last.timeline.filter === state.timeline.filter && last.app.screen === state.app.screen && last.editor.feedId === state.editor.feedId) return;
    last = state;

    const total = feedsState.totalUnread(f);
    setText(allBadge, total > 0 ? count(total) : "");
    show(allBadge, total > 0);
    setAttr(allBadge, "aria-label", `${total} unread`);
    setAttr(all, "aria-current", String(selected === null && state.app.screen === "timeline"));

    for (const id of items.keys()) if (!f.byId.has(id)) items.delete(id);
    const nodes = f.ids.flatMap((id) => {
      const feed = f.byId.get(id);
      if (!feed) return [];
      let item = items.get(id);
      if (!item) {
        item = createItem(id, actions);
        items.set(id, item);
      }
      const status = f.statuses.get(id);
      const badge = feedBadge(status, f.mutes.get(id), state.app.now);
      const unread = f.unread.get(id) ?? 0;
      setText(item.name, feed.name);
      setText(item.state, badge.muted ? `${badge.label} · ${badge.muted}` : badge.label);
      item.dot.dataset.state = badge.dot;
      item.node.dataset.state = badge.dot;
      item.node.classList.toggle("muted-feed", badge.muted !== null);
      setText(item.badge, unread > 0 ? count(unread) : "");
      show(item.badge, unread > 0);
      setAttr(item.button, "title", statusText(status, state.app.now));
      setAttr(item.button, "aria-label", `${feed.name}: ${badge.label}${badge.muted ? `, ${badge.muted}` : ""}${unread > 0 ? `, ${unread} unread` : ""}`);
      setAttr(item.button, "aria-current", String(selected === id));
      return [item.node];
    });
    reconcile(list, nodes);
  }

  store.subscribe(render);
  render(store.get());
}
