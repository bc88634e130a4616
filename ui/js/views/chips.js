// @ts-check
// One status chip per feed in the timeline header, so a feed that is not live is seen at
// once. The chip shows a short label; the full status sentence is its tooltip.

import { byId, el, reconcile, setAttr, setText } from "../dom.js";
import { statusLabel, statusText } from "../status.js";

/** @typedef {import("../store.js").Store} Store */
/** @typedef {import("../store.js").State} State */

/**
 * @param {Store} store
 */
export function mountChips(store) {
  const list = byId("feed-chips", HTMLUListElement);
  /** @type {Map<string, { item: HTMLLIElement, name: HTMLSpanElement, label: HTMLSpanElement }>} */
  const chips = new Map();
  /** @type {State | null} */
  let last = null;

  /** @param {string} id */
  function chipFor(id) {
    let chip = chips.get(id);
    if (!chip) {
      const name = el("span", { className: "chip-name" });
      const label = el("span", { className: "chip-label" });
      const item = el("li", { className: "feed-chip", attrs: { "data-feed-id": id } }, [
        el("span", { className: "chip-dot", attrs: { "aria-hidden": "true" } }),
        name,
        label,
      ]);
      chip = { item, name, label };
      chips.set(id, chip);
    }
    return chip;
  }

  /** @param {State} state */
  function render(state) {
    if (last && last.feeds === state.feeds && last.statuses === state.statuses && last.now === state.now) return;
    last = state;
    const nodes = [];
    for (const id of state.feedIds) {
      const feed = state.feeds.get(id);
      if (!feed) continue;
      const status = state.statuses.get(id) ?? feed.status;
      const chip = chipFor(id);
      setText(chip.name, feed.name);
      setText(chip.label, statusLabel(status));
      setAttr(chip.item, "data-state", status?.state ?? "unknown");
      setAttr(chip.item, "title", `${feed.name}: ${statusText(status, state.now)}`);
      nodes.push(chip.item);
    }
    for (const id of chips.keys()) if (!state.feeds.has(id)) chips.delete(id);
    reconcile(list, nodes);
  }

  store.subscribe(render);
  render(store.getState());
}
