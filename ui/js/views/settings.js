// @ts-check
// Settings: the add-feed form and the list of subscribed feeds with their status.
// The form's text lives in the inputs (so a failed save keeps what the user typed); the
// store holds only the saving flag and the error lines.

import { byId, el, reconcile, setAttr, setText, show } from "../dom.js";
import { FORM_FIELDS as FIELDS } from "../errors.js";
import { headerNames } from "../format.js";
import { isStopped, statusText } from "../status.js";

/** @typedef {import("../types.js").FeedView} FeedView */
/** @typedef {import("../types.js").FeedStatus} FeedStatus */
/** @typedef {import("../store.js").Store} Store */
/** @typedef {import("../store.js").State} State */
/** @typedef {import("../actions.js").Actions} Actions */
/** @typedef {import("../errors.js").FormField} FormField */

/** Fields inside the collapsed "Advanced" section: an error on one of them opens it. */
const ADVANCED = /** @type {readonly FormField[]} */ (["caCert", "idleTimeout"]);

/**
 * @typedef {object} FeedItem
 * @property {HTMLLIElement} item
 * @property {HTMLElement} name
 * @property {HTMLElement} demo
 * @property {HTMLElement} url
 * @property {HTMLElement} headers
 * @property {HTMLElement} status
 * @property {HTMLButtonElement} reconnect
 * @property {HTMLButtonElement} pause "Pause", or "Resume" while the feed is stopped
 * @property {HTMLButtonElement} remove
 * @property {boolean} stopped whether the feed was stopped at the last render; decides what
 *   the pause button asks for
 */

/**
 * Makes `button` run `work` on click, disabled until the call is done so a double click
 * cannot send it twice.
 * @param {HTMLButtonElement} button
 * @param {() => Promise<void>} work
 */
function onClickBusy(button, work) {
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await work();
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * Builds the list entry for one feed; `render` fills in the text.
 * @param {string} id
 * @param {Actions} actions
 * @returns {FeedItem}
 */
function createFeedItem(id, actions) {
  const name = el("span", { className: "feed-name" });
  const demo = el("span", { className: "badge", text: "demo" });
  const url = el("div", { className: "feed-url" });
  const headers = el("div", { className: "feed-headers" });
  const status = el("div", { className: "feed-status" });
  const button = (/** @type {string} */ className, /** @type {string} */ text) =>
    el("button", { className: `${className} button subtle`, text, attrs: { type: "button" } });
  const reconnect = button("feed-reconnect", "Reconnect now");
  const pause = button("feed-pause", "Pause");
  const remove = button("feed-remove", "Remove");
  const item = el("li", { className: "feed-item", attrs: { "data-feed-id": id } }, [
    el("div", { className: "feed-main" }, [el("div", { className: "feed-title" }, [name, demo]), url, headers, status]),
    el("div", { className: "feed-actions" }, [reconnect, pause, remove]),
  ]);
  /** @type {FeedItem} */
  const entry = { item, name, demo, url, headers, status, reconnect, pause, remove, stopped: false };
  onClickBusy(reconnect, () => actions.reconnectFeed(id));
  // Decided at click time: a stopped feed (paused, or stopped by the server) is resumed.
  onClickBusy(pause, () => actions.setFeedPaused(id, !entry.stopped));
  onClickBusy(remove, () => actions.removeFeed(id));
  return entry;
}

/**
 * Fills a feed entry from the state. Header values are secrets: only names are shown.
 * @param {FeedItem} entry
 * @param {FeedView} feed
 * @param {FeedStatus | undefined} status
 * @param {number} now
 */
function fillFeedItem(entry, feed, status, now) {
  setText(entry.name, feed.name);
  show(entry.demo, feed.demo);
  setText(entry.url, feed.url);
  setAttr(entry.url, "title", feed.url);
  const names = headerNames(feed.headerNames);
  setText(entry.headers, names ? `Headers: ${names}` : "");
  show(entry.headers, names !== "");
  setText(entry.status, statusText(status, now));
  setAttr(entry.status, "data-state", status?.state ?? "unknown");
  entry.stopped = isStopped(status);
  show(entry.reconnect, !entry.stopped);
  setAttr(entry.reconnect, "aria-label", `Reconnect ${feed.name} now`);
  setText(entry.pause, entry.stopped ? "Resume" : "Pause");
  setAttr(entry.pause, "aria-label", `${entry.stopped ? "Resume" : "Pause"} ${feed.name}`);
  setAttr(entry.remove, "aria-label", `Remove ${feed.name}`);
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountSettings(store, actions) {
  const form = byId("feed-form", HTMLFormElement);
  const save = byId("feed-save", HTMLButtonElement);
  const advanced = byId("feed-advanced", HTMLDetailsElement);
  const idleTimeout = byId("feed-idle-timeout", HTMLInputElement);
  /** @type {Record<FormField, HTMLInputElement | HTMLTextAreaElement>} */
  const inputs = {
    name: byId("feed-name", HTMLInputElement),
    url: byId("feed-url", HTMLInputElement),
    headers: byId("feed-headers", HTMLTextAreaElement),
    caCert: byId("feed-ca-cert", HTMLInputElement),
    idleTimeout,
  };
  // Error line ids use the field names the backend sends (e.g. #feed-idleTimeout-error).
  const errorLines = {
    name: byId("feed-name-error", HTMLElement),
    url: byId("feed-url-error", HTMLElement),
    headers: byId("feed-headers-error", HTMLElement),
    caCert: byId("feed-caCert-error", HTMLElement),
    idleTimeout: byId("feed-idleTimeout-error", HTMLElement),
    form: byId("feed-form-error", HTMLElement),
  };
  const list = byId("feed-list", HTMLUListElement);
  const empty = byId("feed-list-empty", HTMLDivElement);
  const addDemo = byId("add-demo", HTMLButtonElement);
  const saveLabel = save.textContent ?? "Add feed";
  /** @type {Map<string, FeedItem>} */
  const items = new Map();
  /** @type {State | null} */
  let last = null;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const typed = {
      name: inputs.name.value,
      url: inputs.url.value,
      headers: inputs.headers.value,
      caCert: inputs.caCert.value,
      idleTimeout: idleTimeout.value,
      idleTimeoutUnreadable: idleTimeout.validity.badInput,
    };
    // Disable at once rather than at the next render, so a double click cannot slip through.
    save.disabled = true;
    if (await actions.addFeed(typed)) {
      form.reset();
      advanced.open = false;
      inputs.name.focus();
    } else {
      // Put the cursor where the problem is (opening "Advanced" first if it is in there).
      const errors = store.getState().form.errors;
      const field = FIELDS.find((f) => errors[f]);
      if (field) {
        if (ADVANCED.includes(field)) advanced.open = true;
        inputs[field].focus();
      }
    }
  });
  for (const field of FIELDS) {
    inputs[field].addEventListener("input", () => store.clearFieldError(field));
  }
  addDemo.addEventListener("click", async () => {
    addDemo.disabled = true;
    await actions.addDemoFeed();
    addDemo.disabled = false;
  });

  /** @param {State} state */
  function renderForm(state) {
    const { saving, errors } = state.form;
    save.disabled = saving;
    setText(save, saving ? "Adding…" : saveLabel);
    setAttr(form, "aria-busy", String(saving));
    for (const field of FIELDS) {
      setText(errorLines[field], errors[field] ?? "");
      if (errors[field]) inputs[field].setAttribute("aria-invalid", "true");
      else inputs[field].removeAttribute("aria-invalid");
    }
    setText(errorLines.form, errors.form ?? "");
    // An error inside the collapsed section must not stay hidden. Never closed from here: the
    // user may have opened it on purpose.
    if (ADVANCED.some((f) => errors[f])) advanced.open = true;
  }

  /** @param {State} state */
  function renderList(state) {
    const nodes = [];
    for (const id of state.feedIds) {
      const feed = state.feeds.get(id);
      if (!feed) continue;
      let entry = items.get(id);
      if (!entry) {
        entry = createFeedItem(id, actions);
        items.set(id, entry);
      }
      fillFeedItem(entry, feed, state.statuses.get(id) ?? feed.status, state.now);
      nodes.push(entry.item);
    }
    for (const id of items.keys()) if (!state.feeds.has(id)) items.delete(id);
    reconcile(list, nodes);
    show(empty, state.feedsLoaded && nodes.length === 0);
  }

  /** @param {State} state */
  function render(state) {
    if (!last || last.form !== state.form) renderForm(state);
    if (!last || last.feeds !== state.feeds || last.statuses !== state.statuses || last.now !== state.now || last.feedsLoaded !== state.feedsLoaded) {
      renderList(state);
    }
    last = state;
  }

  store.subscribe(render);
  render(store.getState());
}
