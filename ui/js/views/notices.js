// @ts-check
// Notices: things the user must be told (a corrupt settings file moved aside, a failed
// action). Each stays until dismissed.

import { byId, el, reconcile } from "../dom.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {import("../state/store.js").State} State */
/** @typedef {import("../state/app.js").NoticeItem} NoticeItem */
/** @typedef {import("../actions/index.js").Actions} Actions */

/**
 * @param {NoticeItem} notice
 * @param {Actions} actions
 * @returns {HTMLDivElement}
 */
function createNotice(notice, actions) {
  const dismiss = el("button", {
    className: "notice-dismiss",
    text: "×",
    attrs: { type: "button", "aria-label": "Dismiss", title: "Dismiss" },
  });
  dismiss.addEventListener("click", () => actions.dismissNotice(notice.id));
  // Errors interrupt a screen reader; info and warnings wait their turn.
  const role = notice.level === "error" ? "alert" : "status";
  return el("div", { className: "notice", attrs: { "data-level": notice.level, role } }, [
    el("span", { className: "notice-icon", text: notice.level === "info" ? "i" : "!", attrs: { "aria-hidden": "true" } }),
    el("p", { className: "notice-message", text: notice.message }),
    dismiss,
  ]);
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountNotices(store, actions) {
  const container = byId("notices", HTMLDivElement);
  /** @type {Map<number, HTMLDivElement>} */
  const nodes = new Map();
  /** @type {NoticeItem[] | null} */
  let last = null;

  /** @param {State} state */
  function render(state) {
    const notices = state.app.notices;
    if (last === notices) return;
    last = notices;
    const ids = new Set(notices.map((n) => n.id));
    for (const id of nodes.keys()) if (!ids.has(id)) nodes.delete(id);
    reconcile(
      container,
      notices.map((n) => {
        let node = nodes.get(n.id);
        if (!node) {
          node = createNotice(n, actions);
          nodes.set(n.id, node);
        }
        return node;
      }),
    );
  }

  store.subscribe(render);
  render(store.get());
}
