// @ts-check
// Turns whatever a rejected `invoke` gives us into one shape, and maps it onto the feed
// form. Pure: unit-tested in node.

/** @typedef {import("./types.js").IpcError} IpcError */

/**
 * The form fields the backend may name in an "invalid" error, spelled exactly as it sends
 * them (note "idleTimeout", though the draft field is `idleTimeoutSecs`).
 */
export const FORM_FIELDS = /** @type {const} */ (["name", "url", "headers", "caCert", "idleTimeout"]);

/** @typedef {typeof FORM_FIELDS[number]} FormField */

/**
 * Errors shown by the feed form: one line per field plus a general line.
 * @typedef {{ [F in FormField]?: string } & { form?: string }} FormErrors
 */

/**
 * @param {unknown} field
 * @returns {field is FormField}
 */
export function isFormField(field) {
  return FORM_FIELDS.some((f) => f === field);
}

/**
 * Normalizes a rejection. The contract says `{code, message}`, but Tauri itself rejects
 * with a bare string (e.g. unknown command) and a thrown `Error` can reach us too.
 * @param {unknown} raw
 * @returns {IpcError}
 */
export function toIpcError(raw) {
  if (typeof raw === "string") return { code: "unknown", message: raw };
  if (raw instanceof Error) return { code: "unknown", message: raw.message };
  if (raw && typeof raw === "object") {
    const obj = /** @type {Record<string, unknown>} */ (raw);
    const message = typeof obj.message === "string" && obj.message ? obj.message : "Something went wrong.";
    /** @type {IpcError} */
    const err = { code: typeof obj.code === "string" ? obj.code : "unknown", message };
    if (typeof obj.field === "string") err.field = obj.field;
    return err;
  }
  return { code: "unknown", message: "Something went wrong." };
}

/**
 * Where a failed save is shown: under the named field for "invalid", else on the general line.
 * An "invalid" error naming a field the form lacks still reaches the user via `form`.
 * @param {IpcError} err
 * @returns {FormErrors}
 */
export function formErrorsFrom(err) {
  const field = err.field;
  if (err.code === "invalid" && isFormField(field)) return { [field]: err.message };
  return { form: err.message };
}
