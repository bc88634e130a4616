import assert from "node:assert/strict";
import { test } from "node:test";
import { FORM_FIELDS, formErrorsFrom, isFormField, toIpcError } from "../../../ui/js/errors.js";

const normalize = [
  // [name, rejection, expected IpcError]
  ["contract error", { code: "io", message: "disk full" }, { code: "io", message: "disk full" }],
  ["invalid with field", { code: "invalid", field: "url", message: "bad" }, { code: "invalid", field: "url", message: "bad" }],
  ["bare string from Tauri", "command add_feed not found", { code: "unknown", message: "command add_feed not found" }],
  ["thrown Error", new Error("boom"), { code: "unknown", message: "boom" }],
  ["object without message", { code: "io" }, { code: "io", message: "Something went wrong." }],
  ["null", null, { code: "unknown", message: "Something went wrong." }],
  ["number", 42, { code: "unknown", message: "Something went wrong." }],
];
for (const [name, raw, want] of normalize) {
  test(`toIpcError: ${name}`, () => {
    assert.deepEqual(toIpcError(raw), want);
  });
}

test("toIpcError is idempotent", () => {
  const once = toIpcError({ code: "invalid", field: "name", message: "empty" });
  assert.deepEqual(toIpcError(once), once);
});

const mapping = [
  [{ code: "invalid", field: "name", message: "m" }, { name: "m" }],
  [{ code: "invalid", field: "url", message: "m" }, { url: "m" }],
  [{ code: "invalid", field: "headers", message: "m" }, { headers: "m" }],
  [{ code: "invalid", field: "caCert", message: "m" }, { caCert: "m" }],
  [{ code: "invalid", field: "idleTimeout", message: "m" }, { idleTimeout: "m" }],
  // Only the names exactly as the backend sends them: not the draft's key, not snake case.
  [{ code: "invalid", field: "idleTimeoutSecs", message: "m" }, { form: "m" }],
  [{ code: "invalid", field: "ca_cert", message: "m" }, { form: "m" }],
  [{ code: "invalid", field: "idle_timeout", message: "m" }, { form: "m" }],
  [{ code: "invalid", field: "form", message: "m" }, { form: "m" }],
  [{ code: "invalid", message: "m" }, { form: "m" }],
  [{ code: "duplicate", field: "url", message: "m" }, { form: "m" }],
];
for (const [err, want] of mapping) {
  test(`formErrorsFrom ${err.code}/${err.field ?? "-"} → ${Object.keys(want)[0]}`, () => {
    assert.deepEqual(formErrorsFrom(err), want);
  });
}

test("FORM_FIELDS lists every field the backend names, as it spells them", () => {
  assert.deepEqual([...FORM_FIELDS], ["name", "url", "headers", "caCert", "idleTimeout"]);
  assert.ok(isFormField("idleTimeout"));
  assert.ok(!isFormField("idleTimeoutSecs"));
  assert.ok(!isFormField("form"));
  assert.ok(!isFormField(undefined));
});
