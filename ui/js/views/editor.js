// @ts-check
// The feed editor (adding and editing share it): connection fields with their errors, header
// rows (saved values masked, kept unless replaced), Test with its result, the notification
// rule with a live preview, mute, pause, reconnect, delete with confirmation.
// Inputs report every edit to the editor slice; render writes values back only when they
// differ, so typing is never disturbed.

import { byId, el, reconcile, setText, show } from "../dom.js";
import { plural } from "../format.js";
import { formatClock } from "../status.js";
import * as editorState from "../state/editor.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {import("../state/store.js").State} State */
/** @typedef {import("../state/editor.js").EditorSlice} EditorSlice */
/** @typedef {import("../state/editor.js").Fields} Fields */
/** @typedef {import("../actions/index.js").Actions} Actions */
/** @typedef {import("../types.js").FeedTest} FeedTest */
/** @typedef {import("../types.js").Priority} Priority */
/** @typedef {import("../types.js").Mapping} Mapping */
/** @typedef {import("../errors.js").FormField} FormField */

/** What each test failure means, in words, before the backend's exact message. */
const FAILURE_TITLES = {
  dns: "The host name does not resolve",
  refused: "The connection was refused",
  timeout: "The server did not answer in time",
  tls: "The secure connection failed",
  http: "The server answered with an error",
  contentType: "This is not an event stream",
  request: "The request could not be made",
  connect: "Could not connect",
  stream: "The stream broke",
};

/**
 * Sets an input's value unless it already holds it (keeps the caret where the user is).
 * @param {HTMLInputElement | HTMLSelectElement} input
 * @param {string} value
 */
function setValue(input, value) {
  if (input.value !== value) input.value = value;
}

/**
 * "a, b" → ["a", "b"].
 * @param {string} text
 * @returns {string[]}
 */
function list(text) {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A whole number from a number input, or null when empty or unreadable.
 * @param {HTMLInputElement} input
 * @returns {number | null}
 */
function numberOrNull(input) {
  const n = Number(input.value);
  return input.value.trim() === "" || !Number.isSafeInteger(n) || n <= 0 ? null : n;
}

/**
 * @param {Store} store
 * @param {Actions} actions
 */
export function mountEditor(store, actions) {
  const form = byId("feed-form", HTMLFormElement);
  const heading = byId("editor-title", HTMLHeadingElement);
  const save = byId("feed-save", HTMLButtonElement);
  const cancel = byId("editor-cancel", HTMLButtonElement);
  const formError = byId("feed-form-error", HTMLParagraphElement);
  /** @type {Record<"name" | "url" | "caCert" | "idleTimeout", HTMLInputElement>} */
  const inputs = {
    name: byId("feed-name", HTMLInputElement),
    url: byId("feed-url", HTMLInputElement),
    caCert: byId("feed-ca-cert", HTMLInputElement),
    idleTimeout: byId("feed-idle-timeout", HTMLInputElement),
  };
  const resume = byId("feed-resume", HTMLSelectElement);
  const headerRows = byId("header-rows", HTMLUListElement);
  const addHeader = byId("add-header", HTMLButtonElement);
  const testButton = byId("feed-test", HTMLButtonElement);
  const secretsNote = byId("feed-secrets", HTMLParagraphElement);
  const testState = byId("feed-test-state", HTMLSpanElement);
  const testResult = byId("feed-test-result", HTMLDivElement);
  const ruleEnabled = byId("rule-enabled", HTMLInputElement);
  const rulePriority = byId("rule-priority", HTMLSelectElement);
  const ruleSound = byId("rule-sound", HTMLSelectElement);
  const ruleTypes = byId("rule-types", HTMLInputElement);
  const ruleSilence = byId("rule-silence", HTMLInputElement);
  const ruleAlert = byId("rule-alert", HTMLInputElement);
  const ruleSilentHours = byId("rule-silent-hours", HTMLInputElement);
  const muteRow = byId("mute-row", HTMLDivElement);
  const mute = byId("feed-mute", HTMLSelectElement);
  const muteState = byId("feed-mute-state", HTMLSpanElement);
  const mapInputs = /** @type {HTMLInputElement[]} */ ([...form.querySelectorAll("input[data-map]")]);
  const previewCard = byId("preview-card", HTMLDivElement);
  const previewTitle = byId("preview-title", HTMLElement);
  const previewBody = byId("preview-body", HTMLParagraphElement);
  const danger = byId("danger-zone", HTMLFieldSetElement);
  const pause = byId("feed-pause", HTMLButtonElement);
  const reconnect = byId("feed-reconnect", HTMLButtonElement);
  const del = byId("feed-delete", HTMLButtonElement);
  const confirm = byId("delete-confirm", HTMLDivElement);
  const question = byId("delete-question", HTMLParagraphElement);
  const yes = byId("delete-yes", HTMLButtonElement);
  const no = byId("delete-no", HTMLButtonElement);
  /** @type {Record<FormField, HTMLParagraphElement>} */
  const errorLines = {
    name: byId("feed-name-error", HTMLParagraphElement),
    url: byId("feed-url-error", HTMLParagraphElement),
    headers: byId("feed-headers-error", HTMLParagraphElement),
    caCert: byId("feed-caCert-error", HTMLParagraphElement),
    idleTimeout: byId("feed-idleTimeout-error", HTMLParagraphElement),
  };
  /** @type {{ node: HTMLLIElement, name: HTMLInputElement, value: HTMLInputElement }[]} */
  const rowNodes = [];

  // `change` too: clearing a field (e.g. by the browser's own controls) may fire only that.
  for (const [field, input] of Object.entries(inputs)) {
    const edited = () => actions.editor.setField(/** @type {keyof Fields} */ (field), input.value);
    input.addEventListener("input", edited);
    input.addEventListener("change", edited);
  }
  resume.addEventListener("change", () => actions.editor.setField("resume", resume.value));
  addHeader.addEventListener("click", () => {
    actions.editor.addHeader();
    // Render now, so the new row exists, and put the caret in its name.
    store.flush();
    rowNodes[store.get().editor.headers.length - 1]?.name.focus();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void actions.editor.save();
  });
  cancel.addEventListener("click", () => actions.editor.close());
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") actions.editor.close();
  });
  testButton.addEventListener("click", () => void actions.editor.test());

  ruleEnabled.addEventListener("change", () => actions.editor.setRule({ enabled: ruleEnabled.checked }));
  rulePriority.addEventListener("change", () => actions.editor.setRule({ minPriority: /** @type {Priority} */ (rulePriority.value) }));
  ruleSound.addEventListener("change", () => {
    const v = ruleSound.value;
    actions.editor.setRule({ sound: v === "default" || v === "none" ? { kind: v } : { kind: "named", name: v } });
  });
  ruleTypes.addEventListener("input", () => actions.editor.setRule({ types: list(ruleTypes.value) }));
  ruleSilence.addEventListener("input", () => actions.editor.setRule({ silence: list(ruleSilence.value) }));
  ruleAlert.addEventListener("input", () => actions.editor.setRule({ connectionAlertMins: numberOrNull(ruleAlert) }));
  ruleSilentHours.addEventListener("input", () => actions.editor.setRule({ silenceAlertHours: numberOrNull(ruleSilentHours) }));
  for (const input of mapInputs) {
    input.addEventListener("input", () => {
      /** @type {Mapping} */
      const mapping = {};
      for (const m of mapInputs) {
        const key = /** @type {keyof Mapping} */ (m.dataset.map);
        if (m.value.trim() !== "") mapping[key] = m.value.trim();
      }
      actions.editor.setRule({ mapping });
    });
  }
  mute.addEventListener("change", () => {
    const id = store.get().editor.feedId;
    const how = mute.value;
    mute.value = "";
    if (id && how) void actions.feeds.mute(id, /** @type {import("../ipc.js").MuteFor} */ (how));
  });
  pause.addEventListener("click", () => {
    const id = store.get().editor.feedId;
    const feed = id ? store.get().feeds.byId.get(id) : undefined;
    if (feed) void actions.feeds.setPaused(feed.id, !feed.paused);
  });
  reconnect.addEventListener("click", () => {
    const id = store.get().editor.feedId;
    if (id) void actions.feeds.reconnect(id);
  });
  del.addEventListener("click", () => {
    actions.editor.askDelete(true);
    setTimeout(() => no.focus(), 0);
  });
  no.addEventListener("click", () => actions.editor.askDelete(false));
  yes.addEventListener("click", async () => {
    const id = store.get().editor.feedId;
    if (!id) return;
    yes.disabled = true;
    if (await actions.feeds.remove(id)) await actions.showFeed(null);
    yes.disabled = false;
  });

  /**
   * The header rows: one pair of inputs per row, created as rows are added.
   * @param {EditorSlice} e
   */
  function renderHeaders(e) {
    while (rowNodes.length < e.headers.length) {
      const i = rowNodes.length;
      const name = el("input", { className: "header-name", attrs: { type: "text", placeholder: "Name", spellcheck: "false", autocomplete: "off", "aria-label": `Header ${i + 1} name` } });
      const value = el("input", { className: "header-value", attrs: { type: "password", placeholder: "Value", spellcheck: "false", autocomplete: "off", "aria-label": `Header ${i + 1} value` } });
      const remove = el("button", { className: "button ghost small", text: "Remove", attrs: { type: "button", "aria-label": `Remove header ${i + 1}` } });
      for (const kind of ["input", "change"]) {
        name.addEventListener(kind, () => actions.editor.setHeader(i, { name: name.value }));
        value.addEventListener(kind, () => actions.editor.setHeader(i, { value: value.value }));
      }
      value.addEventListener("focus", () => (value.type = "text"));
      value.addEventListener("blur", () => (value.type = "password"));
      remove.addEventListener("click", () => actions.editor.removeHeader(i));
      rowNodes.push({ node: el("li", { className: "header-row" }, [name, value, remove]), name, value });
    }
    const shown = rowNodes.slice(0, e.headers.length);
    e.headers.forEach((h, i) => {
      setValue(shown[i].name, h.name);
      setValue(shown[i].value, h.value);
      // Saved values never come back: say it is kept rather than show an empty field.
      shown[i].value.placeholder = h.saved ? "•••••• saved (type to replace)" : "Value";
    });
    reconcile(headerRows, shown.map((r) => r.node));
  }

  /**
   * The test's outcome: what came, or exactly what failed.
   * @param {EditorSlice} e
   */
  function renderTest(e) {
    testButton.disabled = e.test.state === "running";
    setText(testState, e.test.state === "running" ? "Connecting…" : "");
    const r = e.test.result;
    show(testResult, e.test.state === "done" && (r !== null || e.test.error !== null));
    if (e.test.state !== "done") return;
    /** @type {Node[]} */
    const parts = [];
    if (e.test.error) {
      testResult.dataset.ok = "false";
      parts.push(el("strong", { text: "The test could not run" }), el("p", { text: e.test.error }));
    } else if (r && r.failure) {
      testResult.dataset.ok = "false";
      const head = FAILURE_TITLES[r.failure.kind] ?? "The test failed";
      parts.push(el("strong", { className: "test-title", text: r.failure.status ? `${head} (HTTP ${r.failure.status})` : head }));
      parts.push(el("p", { className: "test-message", text: r.failure.message }));
      if (r.failure.hint) parts.push(el("p", { className: "field-hint", text: r.failure.hint }));
    } else if (r) {
      testResult.dataset.ok = "true";
      const got = r.events.length > 0 ? `first ${plural(r.events.length, "event")}` : "no event yet (the stream is open)";
      parts.push(el("strong", { className: "test-title", text: `Connected in ${r.elapsedMs} ms — ${got}` }));
      if (r.events.length > 0) {
        parts.push(
          el(
            "ol",
            { className: "test-events" },
            r.events.map((ev) =>
              el("li", {}, [
                el("span", { className: "event-type", text: ev.type || "message" }),
                el("code", { className: "test-data", text: ev.data.length > 200 ? `${ev.data.slice(0, 200)}…` : ev.data }),
              ]),
            ),
          ),
        );
      }
    }
    testResult.replaceChildren(...parts);
  }

  /** @type {State | null} */
  let last = null;

  /** @param {State} state */
  function render(state) {
    if (state.app.screen !== "editor") {
      last = null;
      return;
    }
    const e = state.editor;
    if (last && last.editor === e && last.feeds === state.feeds && last.app.now === state.app.now) return;
    const opened = !last || last.editor.feedId !== e.feedId;
    last = state;
    const feed = e.feedId === null ? undefined : state.feeds.byId.get(e.feedId);
    const adding = e.feedId === null;
    setText(heading, adding ? "Add a feed" : `Edit ${feed?.name ?? "feed"}`);
    setText(save, e.saving ? "Saving…" : adding ? "Add feed" : "Save");
    save.disabled = e.saving;
    setValue(inputs.name, e.fields.name);
    setValue(inputs.url, e.fields.url);
    setValue(inputs.caCert, e.fields.caCert);
    setValue(inputs.idleTimeout, e.fields.idleTimeout);
    setValue(resume, e.fields.resume);
    renderHeaders(e);
    setText(secretsNote, editorState.secretsNote(feed, state.settings.general?.keychain ?? null));
    for (const [field, line] of Object.entries(errorLines)) {
      const message = e.errors[/** @type {FormField} */ (field)] ?? "";
      setText(line, message);
      const input = field === "headers" ? null : inputs[/** @type {"name" | "url" | "caCert" | "idleTimeout"} */ (field)];
      if (input) input.setAttribute("aria-invalid", String(message !== ""));
    }
    setText(formError, e.errors.form ?? "");
    renderTest(e);

    const rule = e.rule;
    ruleEnabled.checked = rule.enabled;
    setValue(rulePriority, rule.minPriority);
    setValue(ruleSound, rule.sound.kind === "named" ? rule.sound.name : rule.sound.kind);
    if (document.activeElement !== ruleTypes) setValue(ruleTypes, (rule.types ?? []).join(", "));
    if (document.activeElement !== ruleSilence) setValue(ruleSilence, (rule.silence ?? []).join(", "));
    if (document.activeElement !== ruleAlert) setValue(ruleAlert, rule.connectionAlertMins === null ? "" : String(rule.connectionAlertMins));
    if (document.activeElement !== ruleSilentHours) setValue(ruleSilentHours, rule.silenceAlertHours === null ? "" : String(rule.silenceAlertHours));
    for (const m of mapInputs) setValue(m, rule.mapping?.[/** @type {keyof Mapping} */ (m.dataset.map)] ?? "");

    // Mute, preview and the feed's own buttons exist once the feed does.
    show(muteRow, !adding);
    const m = feed ? state.feeds.mutes.get(feed.id) : undefined;
    setText(muteState, !m ? "Not muted" : m.kind === "forever" ? "Muted until you unmute it" : m.kind === "until" ? `Muted until ${formatClock(m.untilMs, state.app.now)}` : "Not muted");
    const p = e.preview;
    previewCard.dataset.state = p.state;
    setText(previewTitle, adding ? "Save the feed to preview its notifications" : p.state === "ready" && p.message ? p.message.title : p.state === "none" ? "No event stored yet" : p.state === "failed" ? "No preview" : "…");
    setText(previewBody, p.state === "ready" && p.message ? p.message.body : p.state === "failed" ? (p.error ?? "") : "");
    show(danger, !adding);
    setText(pause, feed?.paused ? "Resume" : "Pause");
    show(confirm, e.confirmDelete);
    show(del, !e.confirmDelete);
    setText(question, `Delete “${feed?.name ?? "this feed"}” and its stored events? This cannot be undone.`);
    if (opened) setTimeout(() => inputs.url.focus(), 0);
  }

  store.subscribe(render);
  render(store.get());
}
