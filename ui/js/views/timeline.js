// @ts-check
// The live timeline: newest event on top, one `.event-row` per event. Rows are created once
// per `seq` and reused, so a new batch only inserts its own rows.

import { byId, el, reconcile, setText, show } from "../dom.js";
import { eventType, formatDateTime, formatTime, isLongData, plural } from "../format.js";

/** @typedef {import("../types.js").EventRecord} EventRecord */
/** @typedef {import("../store.js").Store} Store */
/** @typedef {import("../store.js").State} State */
/** @typedef {import("../actions.js").Actions} Actions */

/**
 * Builds the row for one event. Everything from the event goes in as text.
 * @param {EventRecord} ev
 * @returns {HTMLLIElement}
 */
function createRow(ev) {
  const data = el("div", { className: "event-data", text: ev.data });
  const id = el("span", { className: "event-id", text: ev.lastEventId });
  const type = eventType(ev.type);
  const row = el("li", { className: "event-row", attrs: { "data-seq": String(ev.seq) } }, [
    el("div", { className: "event-meta" }, [
      el("time", {
        className: "event-time",
        text: formatTime(ev.receivedAt),
        attrs: { datetime: new Date(ev.receivedAt).toISOString(), title: formatDateTime(ev.receivedAt) },
      }),
      el("span", { className: "event-feed", text: ev.feedName }),
      el("span", {
        className: "event-silenced",
        text: "silenced",
        attrs: { title: "Not notified: a silence rule matched" },
      }),
      el("span", { className: "event-type", text: type, attrs: { "data-default": String(type === "message") } }),
      // The label sits outside `.event-id` so that element holds exactly the id.
      el("span", { className: "event-id-wrap", attrs: { title: "Last-Event-ID" } }, [
        el("span", { className: "event-id-label", text: "id" }),
        id,
      ]),
    ]),
    data,
  ]);
  if (!ev.lastEventId) row.classList.add("no-id");
  if (isLongData(ev.data)) {
    data.classList.add("collapsed");
    row.appendChild(
      el("button", { className: "event-more link", text: "Show more", attrs: { type: "button", "aria-expanded": "false" } }),
    );
  }
  return row;
}

/**
 * Expands or collapses a long event's data.
 * @param {HTMLButtonElement} button
 */
function toggleMore(button) {
  const data = button.closest(".event-row")?.querySelector(".event-data");
  if (!data) return;
  const expanded = data.classList.toggle("collapsed") === false;
  button.textContent = expanded ? "Show less" : "Show more";
  button.setAttribute("aria-expanded", String(expanded));
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountTimeline(store, actions) {
  const list = byId("timeline", HTMLOListElement);
  const empty = byId("timeline-empty", HTMLDivElement);
  const emptyText = byId("timeline-empty-text", HTMLParagraphElement);
  const addDemo = byId("add-demo-empty", HTMLButtonElement);
  const count = byId("timeline-count", HTMLSpanElement);
  const older = byId("timeline-older", HTMLButtonElement);
  /** @type {Map<number, HTMLLIElement>} */
  const rows = new Map();
  /** @type {State | null} */
  let last = null;

  addDemo.addEventListener("click", async () => {
    addDemo.disabled = true;
    await actions.addDemoFeed();
    addDemo.disabled = false;
  });
  older.addEventListener("click", () => actions.loadOlder());
  // One listener for every row's "Show more" button.
  list.addEventListener("click", (e) => {
    const target = e.target;
    if (target instanceof HTMLButtonElement && target.classList.contains("event-more")) toggleMore(target);
  });

  /** @param {State} state */
  function render(state) {
    if (
      last &&
      last.timeline === state.timeline &&
      last.older === state.older &&
      last.feedIds === state.feedIds &&
      last.feedsLoaded === state.feedsLoaded &&
      last.selected === state.selected
    )
      return;
    const previous = last;
    last = state;

    const hasEvents = state.timeline.length > 0;
    const hasFeeds = state.feedIds.length > 0;
    show(empty, !hasEvents);
    setText(emptyText, hasFeeds ? "No events yet — waiting for your feeds to send one." : "No events yet — add a feed in Settings");
    // Offer the demo feed only once we know there are no feeds, so it does not flash at startup.
    show(addDemo, state.feedsLoaded && !hasFeeds);
    setText(count, hasEvents ? plural(state.timeline.length, "event") : "");
    // History lives in the store: older pages load on demand, below the rows shown.
    show(older, hasEvents && state.older !== "end");
    older.disabled = state.older === "loading";
    setText(older, state.older === "loading" ? "Loading older events…" : "Show older events");

    /** @type {Set<number>} */
    const keep = new Set();
    const nodes = state.timeline.map((ev) => {
      keep.add(ev.seq);
      let row = rows.get(ev.seq);
      if (!row) {
        row = createRow(ev);
        rows.set(ev.seq, row);
      }
      const silenced = row.querySelector(".event-silenced");
      if (silenced instanceof HTMLElement) show(silenced, ev.silenced);
      row.classList.toggle("selected", ev.seq === state.selected);
      return row;
    });
    for (const seq of rows.keys()) if (!keep.has(seq)) rows.delete(seq);
    reconcile(list, nodes);
    if (state.selected !== null && state.selected !== previous?.selected) {
      rows.get(state.selected)?.scrollIntoView({ block: "center" });
    }
  }

  store.subscribe(render);
  render(store.getState());
}
