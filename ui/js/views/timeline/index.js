// @ts-check
// The timeline screen: its toolbar (title, filters, mark all read), the empty and first-run
// states, the "N new" pill, and the virtual list: only the rows on screen (plus a margin)
// exist in the DOM, taken from a pool and refilled as the list scrolls; pages come from the
// store as the screen needs them.

import { byId, el, setAttr, setText, show } from "../../dom.js";
import { count, dayLabel, plural } from "../../format.js";
import * as feedsState from "../../state/feeds.js";
import * as timeline from "../../state/timeline.js";
import { feedBadge, statusText } from "../../status.js";
import { mountDetail } from "./detail.js";
import { createRow, fillRow, rowDay } from "./rows.js";
import { ROW_HEIGHT, revealRow, scrollTopFor, windowAt } from "./window.js";

/** @typedef {import("../../state/store.js").Store} Store */
/** @typedef {import("../../state/store.js").State} State */
/** @typedef {import("../../actions/index.js").Actions} Actions */
/** @typedef {import("./rows.js").Row} Row */

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountTimeline(store, actions) {
  const view = byId("timeline-view", HTMLElement);
  const title = byId("timeline-title", HTMLHeadingElement);
  const feedStatus = byId("timeline-status", HTMLSpanElement);
  const countLabel = byId("timeline-count", HTMLSpanElement);
  const typeFilter = byId("filter-type", HTMLSelectElement);
  const unreadFilter = byId("filter-unread", HTMLInputElement);
  const markAll = byId("mark-all-read", HTMLButtonElement);
  const editFeed = byId("edit-feed", HTMLButtonElement);
  const empty = byId("timeline-empty", HTMLDivElement);
  const emptyTitle = byId("timeline-empty-title", HTMLHeadingElement);
  const emptyText = byId("timeline-empty-text", HTMLParagraphElement);
  const addDemo = byId("add-demo-empty", HTMLButtonElement);
  const addFeed = byId("add-feed-empty", HTMLButtonElement);
  const retry = byId("retry-timeline", HTMLButtonElement);
  const body = byId("timeline-body", HTMLDivElement);
  const list = byId("timeline", HTMLDivElement);
  const spacer = byId("timeline-spacer", HTMLDivElement);
  const pill = byId("new-pill", HTMLButtonElement);
  const dayBand = byId("day-label", HTMLDivElement);

  /** Rows on screen by position. */
  /** @type {Map<number, Row>} */
  const active = new Map();
  /** Rows off screen, ready to be reused. */
  /** @type {Row[]} */
  const pool = [];
  /** @type {{ generation: number, live: number, first: number, selected: number | null }} */
  let seen = { generation: -1, live: 0, first: 0, selected: null };

  mountDetail(store, actions);

  addDemo.addEventListener("click", async () => {
    addDemo.disabled = true;
    await actions.feeds.addDemoFeed();
    addDemo.disabled = false;
  });
  addFeed.addEventListener("click", () => actions.editor.openNew());
  retry.addEventListener("click", () => void actions.timeline.reload());
  typeFilter.addEventListener("change", () => void actions.timeline.setFilter({ type: typeFilter.value || null }));
  unreadFilter.addEventListener("change", () => void actions.timeline.setFilter({ unread: unreadFilter.checked }));
  markAll.addEventListener("click", () => void actions.timeline.markAllRead());
  editFeed.addEventListener("click", () => {
    const id = store.get().timeline.filter.feed;
    if (id) void actions.editor.openEdit(id);
  });
  pill.addEventListener("click", () => {
    if (store.get().timeline.filter.text.trim() !== "") void actions.timeline.reload();
    else list.scrollTo({ top: 0 });
  });
  list.addEventListener("click", (e) => {
    const row = e.target instanceof Element ? e.target.closest(".event-row") : null;
    const seq = row instanceof HTMLElement ? Number(row.dataset.seq) : NaN;
    if (Number.isFinite(seq)) actions.timeline.select(seq);
  });
  list.addEventListener("scroll", () => paint(store.get(), true), { passive: true });
  new ResizeObserver(() => paint(store.get(), false)).observe(list);
  list.addEventListener("keydown", (e) => onKey(e));

  /**
   * Arrow keys move the open event; Home/End and Page keys too; Escape closes it.
   * @param {KeyboardEvent} e
   */
  function onKey(e) {
    const t = store.get().timeline;
    const total = timeline.total(t);
    if (total === 0) return;
    const current = t.selected === null ? -1 : timeline.indexOf(t, t.selected);
    const page = Math.max(1, Math.floor(list.clientHeight / ROW_HEIGHT) - 1);
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key === "Escape") {
      actions.timeline.select(null);
      e.preventDefault();
      return;
    }
    const move = moves[e.key];
    if (move === undefined) return;
    e.preventDefault();
    let target;
    if (move === Infinity) target = total - 1;
    else if (move === -Infinity) target = 0;
    else if (current < 0) target = firstVisible();
    else target = current + move;
    const next = Math.max(0, Math.min(total - 1, target));
    const row = timeline.rowAt(t, next);
    if (row) actions.timeline.select(row.seq);
    else {
      // Not loaded yet: scroll there; the page loads and the next key press selects.
      list.scrollTop = scrollTopFor(total, next, list.clientHeight);
    }
  }

  /** The first row on screen. */
  function firstVisible() {
    return windowAt(timeline.total(store.get().timeline), list.scrollTop, list.clientHeight).visibleFirst;
  }

  /**
   * Renders the rows the scroll position shows. `scrolled`: called for a scroll, so rows
   * that went above the top were scrolled past (read).
   * @param {State} state
   * @param {boolean} scrolled
   */
  function paint(state, scrolled) {
    const t = state.timeline;
    const total = timeline.total(t);
    const w = windowAt(total, list.scrollTop, list.clientHeight);
    setAttr(spacer, "data-rows", String(total));
    spacer.style.height = `${w.height}px`;
    actions.timeline.ensureRows(w.first, w.last);

    for (const [index, row] of active) {
      if (index < w.first || index >= w.last) {
        active.delete(index);
        row.node.remove();
        pool.push(row);
      }
    }
    for (let index = w.first; index < w.last; index++) {
      let row = active.get(index);
      if (!row) {
        row = pool.pop() ?? createRow();
        active.set(index, row);
        list.appendChild(row.node);
      }
      const ev = timeline.rowAt(t, index);
      fillRow(row, ev, {
        index,
        total,
        terms: state.search.terms,
        selected: ev !== undefined && ev.seq === t.selected,
        day: rowDay(ev, index > 0 ? timeline.rowAt(t, index - 1) : undefined, state.app.now),
        now: state.app.now,
      });
      row.node.style.transform = `translateY(${index * ROW_HEIGHT + w.shift}px)`;
    }
    const top = timeline.rowAt(t, w.visibleFirst);
    setText(dayBand, top && w.visibleFirst > 0 ? dayLabel(top.receivedAt, state.app.now) : "");
    show(dayBand, Boolean(top) && w.visibleFirst > 0);

    if (scrolled) {
      actions.timeline.setAway(list.scrollTop > ROW_HEIGHT / 2);
      if (w.visibleFirst > seen.first) {
        const past = [];
        for (let i = seen.first; i < w.visibleFirst; i++) {
          const ev = timeline.rowAt(t, i);
          if (ev) past.push(ev);
        }
        actions.timeline.passed(past);
      }
    }
    seen = { ...seen, first: w.visibleFirst };
    const selectedIndex = t.selected === null ? -1 : timeline.indexOf(t, t.selected);
    if (selectedIndex >= 0) list.setAttribute("aria-activedescendant", `event-${t.selected}`);
    else list.removeAttribute("aria-activedescendant");
  }

  /** @type {State | null} */
  let last = null;

  /** @param {State} state */
  function render(state) {
    const t = state.timeline;
    const f = state.feeds;
    const screenChanged = !last || last.app.screen !== state.app.screen;
    show(view, state.app.screen === "timeline");
    if (state.app.screen !== "timeline") {
      last = state;
      return;
    }
    if (!screenChanged && last && last.timeline === t && last.feeds === f && last.search === state.search && last.app.now === state.app.now) return;
    last = state;

    // Title and the feed's status.
    const feed = t.filter.feed === null ? undefined : f.byId.get(t.filter.feed);
    setText(title, feed ? feed.name : "All feeds");
    const badge = feed ? feedBadge(f.statuses.get(feed.id), f.mutes.get(feed.id), state.app.now) : null;
    setText(feedStatus, feed ? [statusText(f.statuses.get(feed.id), state.app.now), badge?.muted].filter(Boolean).join(" · ") : "");
    show(editFeed, feed !== undefined);
    const total = timeline.total(t);
    const searching = t.filter.text.trim() !== "";
    const noun = searching ? (total === 1 ? "match" : "matches") : total === 1 ? "event" : "events";
    setText(countLabel, t.status === "ready" ? `${count(total)} ${noun}` : "");
    const unread = feed ? f.unread.get(feed.id) ?? 0 : feedsState.totalUnread(f);
    markAll.disabled = unread === 0;

    // The type filter lists the types seen.
    const options = ["", ...t.types];
    if (typeFilter.options.length !== options.length || t.filter.type !== (typeFilter.value || null)) {
      typeFilter.replaceChildren(...options.map((type) => el("option", { text: type === "" ? "All types" : type, attrs: { value: type } })));
      typeFilter.value = t.filter.type ?? "";
    }
    unreadFilter.checked = t.filter.unread;

    // Empty states: first run (no feeds), no events yet, nothing matches, or a failure.
    const hasFeeds = f.ids.length > 0;
    const isEmpty = t.status !== "loading" && total === 0;
    show(empty, isEmpty);
    show(body, !isEmpty);
    if (isEmpty) {
      const firstRun = f.loaded && !hasFeeds;
      const filtered = searching || t.filter.type !== null || t.filter.unread;
      setText(emptyTitle, t.status === "failed" ? "Events could not be loaded" : firstRun ? "Welcome to Herald" : filtered ? "Nothing matches" : "No events yet");
      setText(
        emptyText,
        t.status === "failed"
          ? "The store did not answer; the notice above says why."
          : firstRun
            ? "A feed is a web address that streams events (Server-Sent Events): build results, alerts, messages. Herald keeps a connection to each feed and shows every event here and as a notification — try it with the demo feed."
            : filtered
              ? "No stored event matches this search or filter."
              : "Waiting for your feeds to send something.",
      );
      show(addDemo, firstRun);
      show(addFeed, firstRun);
      show(retry, t.status === "failed");
    }

    // The pill: new rows on top while the user is scrolled away (or searching).
    show(pill, t.fresh > 0);
    setText(pill, searching ? `${plural(t.fresh, "new event")} — search again` : `↑ ${count(t.fresh)} new`);

    // Keep the rows on screen where they are when new ones arrive above them.
    const added = t.generation === seen.generation ? t.live.length - seen.live : 0;
    if (t.generation !== seen.generation) list.scrollTop = 0;
    else if (added > 0 && list.scrollTop > 0) {
      // Rows on screen stay put. The paint below (not a scroll) takes the new position as the
      // reference, so the rows that arrived above are not taken as scrolled past (read).
      list.scrollTop += added * ROW_HEIGHT * (windowAt(total, 0, 1).height / (total * ROW_HEIGHT));
    }
    const selectedChanged = t.selected !== seen.selected;
    seen = { ...seen, generation: t.generation, live: t.live.length, selected: t.selected };

    paint(state, false);
    if (selectedChanged && t.selected !== null) {
      const index = timeline.indexOf(t, t.selected);
      const top = index < 0 ? null : revealRow(total, index, list.scrollTop, list.clientHeight);
      if (top !== null) {
        list.scrollTop = top;
        paint(state, false);
      }
    }
  }

  store.subscribe(render);
  render(store.get());
}
