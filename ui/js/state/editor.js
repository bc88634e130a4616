// @ts-check
// The editor slice: the feed editor's form (adding and editing share it), its notification
// rule, the result of "Test", the live notification preview, and the delete confirmation.
// Header values typed by the user live here until saved; saved values never come back from
// the backend, so a saved header shows masked and keeps its value unless replaced.

import { formErrorsFrom, isFormField } from "../errors.js";

/** @typedef {import("../types.js").FeedView} FeedView */
/** @typedef {import("../types.js").FeedDraft} FeedDraft */
/** @typedef {import("../types.js").FeedRule} FeedRule */
/** @typedef {import("../types.js").FeedTest} FeedTest */
/** @typedef {import("../types.js").ResumeMode} ResumeMode */
/** @typedef {import("../types.js").NotificationMessage} NotificationMessage */
/** @typedef {import("../types.js").IpcError} IpcError */
/** @typedef {import("../errors.js").FormErrors} FormErrors */

/**
 * One header row. `saved`: the backend holds a value for this name; an empty `value` then
 * means "keep it".
 * @typedef {{ name: string, value: string, saved: boolean }} HeaderRow
 */

/**
 * The form's text fields as typed. `idleTimeout` is the number input's text ("" = default).
 * @typedef {{ name: string, url: string, caCert: string, idleTimeout: string, resume: ResumeMode }} Fields
 */

/**
 * @typedef {{ state: "idle" | "running" | "done", result: FeedTest | null, error: string | null }} TestState
 * @typedef {{ state: "idle" | "loading" | "ready" | "none" | "failed", message: NotificationMessage | null, error: string | null }} PreviewState
 */

/**
 * @typedef {object} EditorSlice
 * @property {string | null} feedId the feed being edited; null while adding one
 * @property {Fields} fields
 * @property {HeaderRow[]} headers
 * @property {FeedRule} rule the feed's notification rule as edited
 * @property {boolean} ruleChanged the rule differs from the saved one
 * @property {FormErrors} errors one line per field, plus `form`
 * @property {boolean} saving
 * @property {TestState} test
 * @property {PreviewState} preview
 * @property {boolean} confirmDelete the delete button asked "are you sure?"
 */

/** The rule of a feed without one of its own (the backend's `FeedRule::default`). */
/** @returns {FeedRule} */
export function defaultRule() {
  return {
    enabled: true,
    minPriority: "min",
    types: [],
    mute: { kind: "off" },
    sound: { kind: "default" },
    mapping: {},
    silence: [],
    connectionAlertMins: 10,
    silenceAlertHours: null,
  };
}

/** @returns {EditorSlice} */
export function initial() {
  return {
    feedId: null,
    fields: { name: "", url: "", caCert: "", idleTimeout: "", resume: "auto" },
    headers: [{ name: "", value: "", saved: false }],
    rule: defaultRule(),
    ruleChanged: false,
    errors: {},
    saving: false,
    test: { state: "idle", result: null, error: null },
    preview: { state: "idle", message: null, error: null },
    confirmDelete: false,
  };
}

/**
 * The editor for a new feed, optionally prefilled (e.g. from a subscribe link).
 * @param {Partial<Fields>} [prefill]
 * @returns {EditorSlice}
 */
export function forNew(prefill = {}) {
  const blank = initial();
  return { ...blank, fields: { ...blank.fields, ...prefill } };
}

/**
 * The editor for a saved feed: its fields, its headers (names only, values kept), its rule.
 * @param {FeedView} feed
 * @param {FeedRule | undefined} rule
 * @returns {EditorSlice}
 */
export function forFeed(feed, rule) {
  const headers = feed.headerNames.map((name) => ({ name, value: "", saved: true }));
  return {
    ...initial(),
    feedId: feed.id,
    fields: {
      name: feed.name,
      url: feed.url,
      caCert: feed.caCert ?? "",
      idleTimeout: feed.idleTimeoutSecs === null ? "" : String(feed.idleTimeoutSecs),
      resume: feed.resume,
    },
    headers: headers.length > 0 ? headers : [{ name: "", value: "", saved: false }],
    rule: { ...defaultRule(), ...rule },
  };
}

/** No test run yet, or the form changed since the last one. */
const NO_TEST = Object.freeze({ state: /** @type {const} */ ("idle"), result: null, error: null });

/**
 * A field was edited: its error line is out of date, and so is the last test unless the
 * field has nothing to do with connecting (the name).
 * @param {EditorSlice} e
 * @param {keyof Fields} field
 * @param {string} value
 * @returns {EditorSlice}
 */
export function setField(e, field, value) {
  if (e.fields[field] === value) return e;
  const errors = { ...e.errors };
  if (isFormField(field)) delete errors[field];
  const test = field === "name" || e.test.state === "running" ? e.test : NO_TEST;
  return { ...e, fields: { ...e.fields, [field]: value }, errors, test };
}

/**
 * @param {EditorSlice} e
 * @param {number} index
 * @param {Partial<HeaderRow>} change
 * @returns {EditorSlice}
 */
export function setHeader(e, index, change) {
  const headers = e.headers.map((h, i) => {
    if (i !== index) return h;
    const next = { ...h, ...change };
    // A renamed header is a new one: the saved value belonged to the old name.
    if (change.name !== undefined && change.name.trim().toLowerCase() !== h.name.trim().toLowerCase()) next.saved = false;
    return next;
  });
  const errors = { ...e.errors };
  delete errors.headers;
  return { ...e, headers, errors, test: e.test.state === "running" ? e.test : NO_TEST };
}

/**
 * @param {EditorSlice} e
 * @returns {EditorSlice}
 */
export function addHeader(e) {
  return { ...e, headers: [...e.headers, { name: "", value: "", saved: false }] };
}

/**
 * @param {EditorSlice} e
 * @param {number} index
 * @returns {EditorSlice}
 */
export function removeHeader(e, index) {
  const headers = e.headers.filter((_, i) => i !== index);
  return { ...e, headers: headers.length > 0 ? headers : [{ name: "", value: "", saved: false }] };
}

/**
 * The header rows as the draft's text: one `Name: value` per line; empty rows left out. A
 * saved header left blank goes as `Name:`, which the backend reads as "keep the saved value".
 * @param {HeaderRow[]} rows
 * @returns {string}
 */
export function headersText(rows) {
  return rows
    .filter((h) => h.name.trim() !== "" || h.value.trim() !== "")
    .map((h) => `${h.name.trim()}: ${h.value.trim()}`)
    .join("\n");
}

/**
 * Turns the form into a draft. Only what cannot be sent at all is caught here (an idle
 * timeout that is no whole number); the backend checks the rest and names the field.
 * @param {EditorSlice} e
 * @returns {{ draft: FeedDraft } | { error: IpcError }}
 */
export function toDraft(e) {
  const text = e.fields.idleTimeout.trim();
  const secs = text === "" ? null : Number(text);
  if (secs !== null && !(Number.isSafeInteger(secs) && secs >= 0)) {
    return {
      error: {
        code: "invalid",
        field: "idleTimeout",
        message: "Enter a whole number of seconds (5 to 86400), or leave it empty for the default of 90.",
      },
    };
  }
  return {
    draft: {
      name: e.fields.name,
      url: e.fields.url,
      headers: headersText(e.headers),
      caCert: e.fields.caCert.trim(),
      idleTimeoutSecs: secs,
      resume: e.fields.resume,
    },
  };
}

/**
 * @param {EditorSlice} e
 * @param {Partial<FeedRule>} change
 * @returns {EditorSlice}
 */
export function setRule(e, change) {
  return { ...e, rule: { ...e.rule, ...change }, ruleChanged: true };
}

/**
 * @param {EditorSlice} e
 * @returns {EditorSlice}
 */
export function saveStarted(e) {
  return { ...e, saving: true, errors: {} };
}

/**
 * A save or test was refused: the message goes under the field it names.
 * @param {EditorSlice} e
 * @param {IpcError} err
 * @returns {EditorSlice}
 */
export function saveFailed(e, err) {
  return { ...e, saving: false, errors: formErrorsFrom(err) };
}

/**
 * Saved: the editor now edits the saved feed (a new one has its id), secrets masked.
 * @param {EditorSlice} e
 * @param {FeedView} feed
 * @returns {EditorSlice}
 */
export function saved(e, feed) {
  return { ...forFeed(feed, e.rule), test: e.test, preview: e.preview };
}

/**
 * @param {EditorSlice} e
 * @param {TestState} test
 * @returns {EditorSlice}
 */
export function setTest(e, test) {
  return { ...e, test };
}

/**
 * @param {EditorSlice} e
 * @param {PreviewState} preview
 * @returns {EditorSlice}
 */
export function setPreview(e, preview) {
  return { ...e, preview };
}

/**
 * Where the header values are kept, said under the headers: the feed's place once saved, else
 * where they will go (`keychain`: the user's choice in Settings; null while it loads).
 * @param {FeedView | undefined} feed the feed being edited (undefined while adding one)
 * @param {boolean | null} keychain
 * @returns {string}
 */
export function secretsNote(feed, keychain) {
  const file = "Herald's settings file, readable only by you";
  if (!feed || feed.headerNames.length === 0) {
    return keychain === false ? `Values are kept in ${file}.` : `Values are kept in the system keychain where one answers, else in ${file}.`;
  }
  switch (feed.secrets) {
    case "keychain":
      return "Saved values are in the system keychain.";
    case "keychainWaiting":
      return "Saved values are in the system keychain, which has not given them to Herald yet: unlock it, or type the values again.";
    default:
      return keychain === true ? `Saved values are in ${file}: no system keychain took them.` : `Saved values are in ${file}.`;
  }
}

/**
 * @param {EditorSlice} e
 * @param {boolean} asking
 * @returns {EditorSlice}
 */
export function confirmDelete(e, asking) {
  return e.confirmDelete === asking ? e : { ...e, confirmDelete: asking };
}
