// @ts-check
// What an event says, read the way the notification template reads it (engine
// notify/template.rs): a Gotify message, an ntfy message (or any JSON object with a string
// `message`), other JSON (pretty-printed), or plain text. Pure: node tests every shape.

/** @typedef {import("../types.js").EventRecord} EventRecord */

/**
 * An event as the timeline shows it. `priority` is ntfy's 1–5 (3 = default); `links` are the
 * http(s) buttons (ntfy `view` actions); `pretty` is other JSON, indented.
 * @typedef {{
 *   kind: "ntfy" | "gotify" | "json" | "text", title: string | null, message: string,
 *   tags: string[], priority: number, click: string | null,
 *   links: { label: string, url: string }[], pretty: string | null
 * }} Described
 */

/** ntfy's common tag shortcodes as emoji (the notification template knows every shortcode; a
 * tag missing here shows as a tag chip, as ntfy's web app does with non-emoji tags). */
const EMOJI = new Map(
  Object.entries({
    "+1": "👍", "-1": "👎", warning: "⚠️", rotating_light: "🚨", white_check_mark: "✅",
    heavy_check_mark: "✔️", x: "❌", no_entry: "⛔", tada: "🎉", partying_face: "🥳",
    skull: "💀", fire: "🔥", bell: "🔔", loudspeaker: "📢", computer: "💻", rocket: "🚀",
    bug: "🐛", lock: "🔒", key: "🔑", hourglass: "⌛", zap: "⚡", package: "📦",
    calendar: "📅", email: "📧", information_source: "ℹ️", question: "❓", exclamation: "❗",
    heart: "❤️", star: "⭐", sunny: "☀️", cloud: "☁️", umbrella: "☔", snowflake: "❄️",
    speech_balloon: "💬", thought_balloon: "💭", mega: "📣", memo: "📝", pencil: "📝",
    clipboard: "📋", chart_with_upwards_trend: "📈", chart_with_downwards_trend: "📉",
    moneybag: "💰", money_with_wings: "💸", shopping_cart: "🛒", truck: "🚚", house: "🏠",
    door: "🚪", bulb: "💡", battery: "🔋", electric_plug: "🔌", wrench: "🔧", hammer: "🔨",
    gear: "⚙️", robot: "🤖", desktop_computer: "🖥️", floppy_disk: "💾", cd: "💿", dvd: "📀",
    satellite: "📡", globe_with_meridians: "🌐", link: "🔗", unlock: "🔓", shield: "🛡️",
    stop_sign: "🛑", construction: "🚧", checkered_flag: "🏁", triangular_flag_on_post: "🚩",
    alarm_clock: "⏰", stopwatch: "⏱️", timer_clock: "⏲️", calendar_spiral: "🗓️",
    eyes: "👀", wave: "👋", clap: "👏", pray: "🙏", muscle: "💪", ok_hand: "👌",
    smile: "😄", grinning: "😀", joy: "😂", cry: "😢", sob: "😭", scream: "😱", rage: "😡",
    thinking: "🤔", sleeping: "😴", sunglasses: "😎", poop: "💩", ghost: "👻", alien: "👽",
    cat: "🐱", dog: "🐶", penguin: "🐧", whale: "🐳", cactus: "🌵", seedling: "🌱",
    green_circle: "🟢", yellow_circle: "🟡", red_circle: "🔴", large_blue_circle: "🔵",
    white_circle: "⚪", black_circle: "⚫", new: "🆕", sos: "🆘", boom: "💥", sparkles: "✨",
    trophy: "🏆", medal_sports: "🏅", gift: "🎁", birthday: "🎂", movie_camera: "🎥",
    camera: "📷", video_camera: "📹", headphones: "🎧", musical_note: "🎵", phone: "☎️",
    iphone: "📱", incoming_envelope: "📨", envelope: "✉️", inbox_tray: "📥", outbox_tray: "📤",
    mailbox: "📫", bookmark: "🔖", books: "📚", newspaper: "📰", mag: "🔍", lock_with_ink_pen: "🔏",
    heavy_plus_sign: "➕", heavy_minus_sign: "➖", arrow_up: "⬆️", arrow_down: "⬇️",
    arrows_counterclockwise: "🔄", repeat: "🔁", recycle: "♻️", thermometer: "🌡️",
    droplet: "💧", ocean: "🌊", tornado: "🌪️", zzz: "💤", dart: "🎯", game_die: "🎲",
  }),
);

/** How many link buttons ntfy allows on one message. */
const MAX_LINKS = 3;

/**
 * The URL when it is a web link with a host (http or https), else null: anything else
 * (javascript:, file:, data:, relative) is never made clickable.
 * @param {unknown} raw
 * @returns {string | null}
 */
export function webUrl(raw) {
  if (typeof raw !== "string") return null;
  try {
    const url = new URL(raw.trim());
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * @param {Record<string, unknown>} object
 * @param {string} key
 * @returns {string | null}
 */
function text(object, key) {
  const value = object[key];
  return typeof value === "string" ? value : null;
}

/**
 * Gotify's 0–10 priority on ntfy's 1–5 scale (as the engine's `Priority::from_gotify`).
 * @param {unknown} n
 * @returns {number}
 */
function fromGotify(n) {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) return 3;
  if (n === 0) return 1;
  if (n <= 3) return 2;
  if (n <= 7) return 3;
  if (n <= 9) return 4;
  return n === 10 ? 5 : 3;
}

/**
 * @param {unknown} n
 * @returns {number}
 */
function fromNtfy(n) {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 5 ? n : 3;
}

/**
 * @param {Record<string, unknown>} object
 * @param {string} message
 * @returns {Described}
 */
function ntfy(object, message) {
  const emoji = [];
  const tags = [];
  for (const tag of Array.isArray(object.tags) ? object.tags : []) {
    if (typeof tag !== "string" || tag.trim() === "") continue;
    const e = EMOJI.get(tag.trim());
    if (e) emoji.push(e);
    else tags.push(tag.trim());
  }
  const title = text(object, "title");
  const links = [];
  for (const action of Array.isArray(object.actions) ? object.actions : []) {
    if (!action || typeof action !== "object") continue;
    const a = /** @type {Record<string, unknown>} */ (action);
    const url = webUrl(a.url);
    if (String(a.action ?? "").trim().toLowerCase() === "view" && url && typeof a.label === "string") {
      links.push({ label: a.label, url });
    }
  }
  return {
    kind: "ntfy",
    title: emoji.length > 0 ? `${emoji.join(" ")} ${title ?? ""}`.trim() : title,
    message,
    tags,
    priority: fromNtfy(object.priority),
    click: webUrl(object.click),
    links: links.slice(0, MAX_LINKS),
    pretty: null,
  };
}

/**
 * @param {Record<string, unknown>} object
 * @param {string} message
 * @returns {Described}
 */
function gotify(object, message) {
  const extras = /** @type {Record<string, any>} */ (object.extras ?? {});
  return {
    kind: "gotify",
    title: text(object, "title"),
    message,
    tags: [],
    priority: fromGotify(object.priority),
    click: webUrl(extras?.["client::notification"]?.click?.url),
    links: [],
    pretty: null,
  };
}

/**
 * Reads an event's data.
 * @param {string} data
 * @returns {Described}
 */
export function describe(data) {
  /** @type {unknown} */
  let json;
  const start = data.trimStart()[0];
  if (start === "{" || start === "[") {
    try {
      json = JSON.parse(data);
    } catch {
      json = undefined;
    }
  }
  const plain = { title: null, tags: [], priority: 3, click: null, links: [] };
  if (json === undefined || json === null || typeof json !== "object") {
    return { kind: "text", message: data, pretty: null, ...plain };
  }
  if (!Array.isArray(json)) {
    const object = /** @type {Record<string, unknown>} */ (json);
    const message = text(object, "message");
    if (message !== null) {
      const isGotify = typeof object.appid === "number" || (typeof object.extras === "object" && object.extras !== null);
      return isGotify ? gotify(object, message) : ntfy(object, message);
    }
  }
  return { kind: "json", message: "", pretty: JSON.stringify(json, null, 2), ...plain };
}

/** Priority names as ntfy shows them. */
export const PRIORITY_NAMES = ["", "min", "low", "default", "high", "max"];

/**
 * One line for the row: the title (or the feed's name), and the message's first line.
 * @param {Described} d
 * @param {string} data the raw data, for JSON
 * @returns {string}
 */
export function summaryLine(d, data) {
  if (d.kind === "json") return data.replace(/\s+/gu, " ").slice(0, 300);
  return d.message.replace(/\s+/gu, " ").trim().slice(0, 300);
}

/**
 * The title an event shows: its own, else the feed's name, with the event type when it is not
 * the default (as the notification template titles it).
 * @param {Described} d
 * @param {string} feedName
 * @param {string} type
 * @returns {string}
 */
export function titleOf(d, feedName, type) {
  if (d.title) return d.title;
  return type && type !== "message" ? `${feedName} · ${type}` : feedName;
}
