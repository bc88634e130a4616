// @ts-check
// What every group of actions shares: the store, the backend (ipc.js in the app, a fake in
// tests), and one way to tell the user that something they asked for failed.

import { toIpcError } from "../errors.js";
import * as app from "../state/app.js";

/** @typedef {import("../state/store.js").Store} Store */
/** @typedef {typeof import("../ipc.js")} Api */

/**
 * @typedef {object} Context
 * @property {Store} store
 * @property {Api} api
 * @property {(what: string, raw: unknown) => void} report puts "what: why" on screen as an error
 * @property {(fn: () => void, ms: number) => unknown} later a timer (tests pass their own)
 * @property {(handle: unknown) => void} cancel
 */

/**
 * @param {Store} store
 * @param {Api} api
 * @param {{ later?: Context["later"], cancel?: Context["cancel"] }} [timers]
 * @returns {Context}
 */
export function createContext(store, api, timers = {}) {
  return {
    store,
    api,
    report(what, raw) {
      const message = `${what}: ${toIpcError(raw).message}`;
      store.change("app", (a) => app.addNotice(a, { level: "error", message }));
    },
    later: timers.later ?? ((fn, ms) => setTimeout(fn, ms)),
    cancel: timers.cancel ?? ((handle) => clearTimeout(/** @type {number} */ (handle))),
  };
}
