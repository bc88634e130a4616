// @ts-check
// The global settings screen: load everything it shows, save each section, send a test
// notification, export and import feeds, open the log folder.

import { toIpcError } from "../errors.js";
import * as app from "../state/app.js";
import * as settings from "../state/settings.js";

/** @typedef {import("./context.js").Context} Context */
/** @typedef {import("../state/settings.js").Section} Section */
/** @typedef {import("../types.js").NotifySettings} NotifySettings */
/** @typedef {import("../types.js").GeneralSettings} GeneralSettings */
/** @typedef {import("../types.js").Theme} Theme */

/**
 * @param {Context} ctx
 */
export function createSettingsActions(ctx) {
  const { store, api } = ctx;

  /**
   * @param {Section} section
   * @param {boolean} ok
   * @param {string} text
   */
  function say(section, ok, text) {
    store.change("settings", (s) => settings.setOutcome(s, section, { ok, text }));
  }

  /**
   * Saves the notification defaults with `change` applied.
   * @param {Section} section
   * @param {Partial<NotifySettings>} change
   */
  async function saveNotify(section, change) {
    const current = store.get().settings.notify;
    if (!current) return;
    const next = { ...current, ...change };
    if ("quiet" in change && change.quiet === undefined) delete next.quiet;
    try {
      await api.setNotificationDefaults(next);
      store.change("settings", (s) => settings.setLoaded(s, { notify: next }));
      say(section, true, "Saved.");
    } catch (raw) {
      say(section, false, toIpcError(raw).message);
    }
  }

  /**
   * Saves the general settings with `change` applied.
   * @param {Section} section
   * @param {Partial<GeneralSettings>} change
   */
  async function saveGeneral(section, change) {
    const current = store.get().settings.general;
    if (!current) return;
    const next = { ...current, ...change };
    try {
      await api.setGeneralSettings(next);
      store.change("settings", (s) => settings.setLoaded(s, { general: next }));
      say(section, true, "Saved.");
    } catch (raw) {
      say(section, false, toIpcError(raw).message);
    }
  }

  return {
    /** Opens the settings screen (and loads what it shows). */
    async open() {
      store.change("app", (a) => app.show(a, "settings"));
      await this.load();
    },

    /** @returns {Promise<void>} */
    async load() {
      const [general, notify, info, health, loginStart] = await Promise.allSettled([
        api.generalSettings(),
        api.notificationSettings(),
        api.appInfo(),
        api.notificationHealth(),
        api.loginStart(),
      ]);
      store.change("settings", (s) =>
        settings.setLoaded(s, {
          ...(general.status === "fulfilled" ? { general: general.value } : {}),
          ...(notify.status === "fulfilled" ? { notify: notify.value } : {}),
          ...(info.status === "fulfilled" ? { info: info.value } : {}),
          ...(health.status === "fulfilled" ? { health: health.value } : {}),
          ...(loginStart.status === "fulfilled" ? { loginStart: loginStart.value } : {}),
        }),
      );
      for (const r of [general, notify, info, health, loginStart]) {
        if (r.status === "rejected") {
          ctx.report("Could not load the settings", r.reason);
          break;
        }
      }
    },

    /**
     * @param {import("../types.js").QuietHours | undefined} quiet undefined turns quiet hours off
     */
    saveQuiet: (quiet) => saveNotify("quiet", { quiet }),

    /** @param {import("../types.js").FloodLimits} flood */
    saveFlood: (flood) => saveNotify("flood", { flood }),

    /** @param {import("../types.js").Retention} retention */
    saveRetention: (retention) => saveGeneral("history", { retention }),

    /**
     * Applies at once, then saves (a failed save says so and keeps the choice for this run).
     * @param {Theme} theme
     */
    async setTheme(theme) {
      store.change("settings", (s) => ({ ...s, theme }));
      await saveGeneral("appearance", { theme });
    },

    /**
     * Keeps header values in the system keychain, or in the settings file: saving moves them.
     * @param {boolean} keychain
     */
    async setKeychain(keychain) {
      await saveGeneral("secrets", { keychain });
      const saved = store.get().settings.outcomes.secrets;
      if (saved?.ok) {
        const where = keychain ? "in the system keychain where one answers (each feed's editor says where its values are)" : "in the settings file";
        say("secrets", true, `Saved: header values are kept ${where}.`);
      }
    },

    /**
     * Starts Herald at login, or no longer; a failure says why and shows the state as it is.
     * @param {boolean} enabled
     */
    async setLoginStart(enabled) {
      try {
        await api.setLoginStart(enabled);
        store.change("settings", (s) => settings.setLoaded(s, { loginStart: enabled }));
        say("startup", true, enabled ? "Herald will start when you log in." : "Herald will not start at login.");
      } catch (raw) {
        say("startup", false, toIpcError(raw).message);
        const now = await api.loginStart().catch(() => null);
        store.change("settings", (s) => settings.setLoaded(s, { loginStart: now }));
      }
    },

    /** @returns {Promise<void>} */
    async sendTest() {
      say("test", true, "Sending…");
      try {
        await api.sendTestNotification();
        say("test", true, "Sent: it should be on your screen now.");
      } catch (raw) {
        say("test", false, toIpcError(raw).message);
      }
      try {
        const health = await api.notificationHealth();
        store.change("settings", (s) => settings.setLoaded(s, { health }));
      } catch {
        // The test's own outcome already says what went wrong.
      }
    },

    /**
     * @param {boolean} withSecrets
     * @returns {Promise<void>}
     */
    async exportFeeds(withSecrets) {
      try {
        const { path, count } = await api.exportFeeds(withSecrets);
        say("transfer", true, `Exported ${count} feed${count === 1 ? "" : "s"}${withSecrets ? " with their header values" : ""} to ${path}`);
      } catch (raw) {
        say("transfer", false, `Export failed: ${toIpcError(raw).message}`);
      }
    },

    /**
     * @param {string} json the chosen file's text
     * @returns {Promise<void>}
     */
    async importFeeds(json) {
      try {
        const summary = await api.importFeeds(json);
        const parts = [];
        if (summary.added.length) parts.push(`added ${summary.added.join(", ")}`);
        if (summary.updated.length) parts.push(`updated ${summary.updated.join(", ")}`);
        if (parts.length === 0) parts.push("nothing to change");
        let text = `Imported: ${parts.join("; ")}.`;
        if (summary.missingSecrets.length) {
          text += ` Fill in the header values of ${summary.missingSecrets.join(", ")} in their editor: the export did not include them.`;
        }
        say("transfer", true, text);
      } catch (raw) {
        say("transfer", false, `Import failed: ${toIpcError(raw).message}`);
      }
    },

    /** @returns {Promise<void>} */
    async openLogs() {
      try {
        await api.openLogFolder();
        store.change("settings", (s) => settings.setOutcome(s, "logs", null));
      } catch (raw) {
        say("logs", false, toIpcError(raw).message);
      }
    },

    /**
     * Opens a web link from an event in the system browser.
     * @param {string} url
     * @returns {Promise<void>}
     */
    async openLink(url) {
      try {
        await api.openLink(url);
      } catch (raw) {
        ctx.report("Could not open the link", raw);
      }
    },
  };
}

/** @typedef {ReturnType<typeof createSettingsActions>} SettingsActions */
