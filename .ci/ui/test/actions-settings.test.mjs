// actions/settings.js: load the settings screen, save each section with the full settings
// object, record outcomes, export and import, against a fake ipc.js.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fail, setupActions } from "../support/fake-api.mjs";

const NOTIFY = {
  feeds: { a: { enabled: true, minPriority: "min", sound: { kind: "default" }, connectionAlertMins: 10, silenceAlertHours: null } },
  quiet: { days: [0, 1], startMin: 1320, endMin: 420, criticalPasses: true },
  flood: { feedBurst: 5, feedWindowSecs: 60, globalPerMinute: 30 },
  silence: ["/heartbeat"],
};
const GENERAL = { retention: { maxEvents: 10000, maxAgeDays: null }, theme: "system", keychain: true };
const INFO = { version: "1.2.3", configDir: "/c", dataDir: "/d", logDir: "/l", settingsFile: "/c/s.json", databaseFile: "/d/h.db" };

async function opened(overrides = {}) {
  const s = await setupActions({ notificationSettings: NOTIFY, generalSettings: GENERAL, appInfo: INFO, notificationHealth: { problem: null }, ...overrides });
  await s.actions.settings.open();
  s.fake.clear();
  return s;
}

test("open shows the screen and loads general, notify, info and health", async () => {
  const { state } = await opened();
  const s = state().settings;
  assert.equal(state().app.screen, "settings");
  assert.deepEqual([s.general, s.notify, s.info, s.health], [GENERAL, NOTIFY, INFO, { problem: null }]);
});

test("a part that fails to load is reported once; the rest loads", async () => {
  const { state } = await opened({ appInfo: fail("io", "no"), notificationHealth: fail("io", "no either") });
  assert.deepEqual(state().settings.general, GENERAL);
  assert.equal(state().settings.info, null);
  assert.deepEqual(state().app.notices.map((n) => n.message), ["Could not load the settings: no"]);
});

const QUIET = { days: [5, 6], startMin: 0, endMin: 480, criticalPasses: false };
const FLOOD = { feedBurst: 1, feedWindowSecs: 10, globalPerMinute: 2 };
const RETENTION = { maxEvents: null, maxAgeDays: 30 };
const { quiet: _quiet, ...NOTIFY_WITHOUT_QUIET } = NOTIFY;

const saves = [
  // [name, run, command, full object sent, section, where the saved object lands]
  ["saveQuiet", (a) => a.settings.saveQuiet(QUIET), "setNotificationDefaults", { ...NOTIFY, quiet: QUIET }, "quiet", "notify"],
  ["saveQuiet(undefined) turns quiet hours off", (a) => a.settings.saveQuiet(undefined), "setNotificationDefaults", NOTIFY_WITHOUT_QUIET, "quiet", "notify"],
  ["saveFlood", (a) => a.settings.saveFlood(FLOOD), "setNotificationDefaults", { ...NOTIFY, flood: FLOOD }, "flood", "notify"],
  ["saveRetention", (a) => a.settings.saveRetention(RETENTION), "setGeneralSettings", { ...GENERAL, retention: RETENTION }, "history", "general"],
  ["setTheme", (a) => a.settings.setTheme("dark"), "setGeneralSettings", { ...GENERAL, theme: "dark" }, "appearance", "general"],
];

describe("saving a section", () => {
  for (const [name, run, command, sent, section, slot] of saves) {
    test(`${name}: ${command} with the full object, outcome under "${section}"`, async () => {
      const { actions, fake, state } = await opened();
      await run(actions);
      assert.deepEqual(fake.names(), [command]);
      const [arg] = fake.argsOf(command)[0];
      assert.deepEqual(arg, sent);
      assert.ok(!(slot === "notify" && sent.quiet === undefined && "quiet" in arg), "no quiet key when off");
      assert.deepEqual(state().settings[slot], sent);
      assert.deepEqual(state().settings.outcomes, { [section]: { ok: true, text: "Saved." } });
    });

    test(`${name} that fails: the error as its outcome, the loaded settings kept`, async () => {
      const { actions, state } = await opened({ [command]: fail("invalid", "Out of range.") });
      await run(actions);
      assert.deepEqual(state().settings.outcomes[section], { ok: false, text: "Out of range." });
      assert.deepEqual(state().settings[slot], slot === "notify" ? NOTIFY : GENERAL);
    });
  }

  test("before the settings loaded nothing is saved", async () => {
    const { actions, fake } = await setupActions();
    await actions.settings.saveQuiet(QUIET);
    await actions.settings.saveRetention(RETENTION);
    assert.deepEqual(fake.calls, []);
  });

  test("setTheme applies at once, and keeps the choice when the save fails", async () => {
    const { actions, state } = await opened({ setGeneralSettings: fail("io", "read-only") });
    const saving = actions.settings.setTheme("light");
    assert.equal(state().settings.theme, "light");
    await saving;
    assert.equal(state().settings.theme, "light");
    assert.equal(state().settings.general.theme, "system");
  });
});

describe("test notification, export, import, logs", () => {
  test("sendTest: sent, then the health is refreshed", async () => {
    const { actions, fake, state } = await opened({ notificationHealth: { problem: "no notification daemon" } });
    await actions.settings.sendTest();
    assert.deepEqual(fake.names(), ["sendTestNotification", "notificationHealth"]);
    assert.deepEqual(state().settings.outcomes.test, { ok: true, text: "Sent: it should be on your screen now." });
    assert.deepEqual(state().settings.health, { problem: "no notification daemon" });
  });

  test("sendTest that fails says why", async () => {
    const { actions, state } = await opened({ sendTestNotification: fail("notify", "D-Bus is down") });
    await actions.settings.sendTest();
    assert.deepEqual(state().settings.outcomes.test, { ok: false, text: "D-Bus is down" });
  });

  const exports = [
    // [withSecrets, result, text]
    [false, { path: "/home/u/Downloads/herald-feeds.json", count: 1 }, "Exported 1 feed to /home/u/Downloads/herald-feeds.json"],
    [true, { path: "/x.json", count: 3 }, "Exported 3 feeds with their header values to /x.json"],
  ];
  for (const [withSecrets, result, text] of exports) {
    test(`exportFeeds(${withSecrets}) → "${text}"`, async () => {
      const { actions, fake, state } = await opened({ exportFeeds: result });
      await actions.settings.exportFeeds(withSecrets);
      assert.deepEqual(fake.argsOf("exportFeeds"), [[withSecrets]]);
      assert.deepEqual(state().settings.outcomes.transfer, { ok: true, text });
    });
  }

  const imports = [
    // [summary, text]
    [{ added: ["Alerts"], updated: [], missingSecrets: [] }, "Imported: added Alerts."],
    [{ added: ["A", "B"], updated: ["C"], missingSecrets: [] }, "Imported: added A, B; updated C."],
    [{ added: [], updated: [], missingSecrets: [] }, "Imported: nothing to change."],
    [
      { added: ["Private", "Public"], updated: [], missingSecrets: ["Private"] },
      "Imported: added Private, Public. Fill in the header values of Private in their editor: the export did not include them.",
    ],
  ];
  for (const [summary, text] of imports) {
    test(`importFeeds summary → "${text}"`, async () => {
      const { actions, fake, state } = await opened({ importFeeds: summary });
      await actions.settings.importFeeds('{"feeds":[]}');
      assert.deepEqual(fake.argsOf("importFeeds"), [['{"feeds":[]}']]);
      assert.deepEqual(state().settings.outcomes.transfer, { ok: true, text });
    });
  }

  test("importFeeds that fails", async () => {
    const { actions, state } = await opened({ importFeeds: fail("invalid", "Not a Herald export.") });
    await actions.settings.importFeeds("{}");
    assert.deepEqual(state().settings.outcomes.transfer, { ok: false, text: "Import failed: Not a Herald export." });
  });

  test("openLogs clears an old failure; a failure is its outcome; openLink failures are notices", async () => {
    const failing = await opened({ openLogFolder: fail("io", "no file manager"), openLink: fail("invalid", "not http") });
    await failing.actions.settings.openLogs();
    assert.deepEqual(failing.state().settings.outcomes.logs, { ok: false, text: "no file manager" });
    failing.fake.replies.openLogFolder = null;
    await failing.actions.settings.openLogs();
    assert.equal(failing.state().settings.outcomes.logs, undefined);
    await failing.actions.settings.openLink("file:///x");
    assert.equal(failing.state().app.notices.at(-1).message, "Could not open the link: not http");
  });
});

describe("where header values are kept", () => {
  test("setKeychain saves the full general settings and says where values go now", async () => {
    const { actions, fake, state } = await opened();
    await actions.settings.setKeychain(false);
    assert.deepEqual(fake.argsOf("setGeneralSettings"), [[{ ...GENERAL, keychain: false }]]);
    assert.equal(state().settings.general.keychain, false);
    assert.deepEqual(state().settings.outcomes.secrets, { ok: true, text: "Saved: header values are kept in the settings file." });
    await actions.settings.setKeychain(true);
    assert.match(state().settings.outcomes.secrets.text, /^Saved: header values are kept in the system keychain where one answers/);
  });

  test("a failed save says why and keeps the loaded choice", async () => {
    const { actions, state } = await opened({ setGeneralSettings: fail("failed", "cannot write settings.json") });
    await actions.settings.setKeychain(false);
    assert.deepEqual(state().settings.outcomes.secrets, { ok: false, text: "cannot write settings.json" });
    assert.equal(state().settings.general.keychain, true);
  });
});

describe("start at login", () => {
  test("loaded with the rest; turning it on says so and keeps it", async () => {
    const { actions, fake, state } = await opened({ loginStart: false });
    assert.equal(state().settings.loginStart, false);
    await actions.settings.setLoginStart(true);
    assert.deepEqual(fake.argsOf("setLoginStart"), [[true]]);
    assert.equal(state().settings.loginStart, true);
    assert.deepEqual(state().settings.outcomes.startup, { ok: true, text: "Herald will start when you log in." });
  });

  test("a failure says why and shows the state as the system has it", async () => {
    const { actions, state } = await opened({ loginStart: false, setLoginStart: fail("failed", "The autostart folder is read-only.") });
    await actions.settings.setLoginStart(true);
    assert.equal(state().settings.loginStart, false);
    assert.deepEqual(state().settings.outcomes.startup, { ok: false, text: "The autostart folder is read-only." });
  });

  test("unknown until loaded: null", async () => {
    const { state } = await opened({ loginStart: fail("failed", "no") });
    assert.equal(state().settings.loginStart, null);
  });
});

