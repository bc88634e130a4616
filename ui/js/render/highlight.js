// @ts-check
// Splits text into runs for the views to build as text nodes: where a search term matches
// (highlighted) and where a web link is (clickable). Never markup: the views create one
// element per run and set its text. Pure: node tests it.

import { webUrl } from "./message.js";

/**
 * @typedef {{ text: string, match: boolean }} Run
 * @typedef {{ text: string, url: string | null }} Piece
 */

/**
 * Splits `text` at every case-insensitive occurrence of a term. Longer terms win where two
 * overlap (terms come longest first from `searchTerms`).
 * @param {string} text
 * @param {string[]} terms lower case
 * @returns {Run[]}
 */
export function highlight(text, terms) {
  const wanted = terms.filter((t) => t.length > 0);
  if (wanted.length === 0 || text === "") return [{ text, match: false }];
  const lower = text.toLowerCase();
  // Lower-casing can change a string's length (e.g. "İ"); then offsets would not line up.
  if (lower.length !== text.length) return [{ text, match: false }];
  /** @type {Run[]} */
  const runs = [];
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    const term = wanted.find((t) => lower.startsWith(t, i));
    if (term) {
      if (i > plainFrom) runs.push({ text: text.slice(plainFrom, i), match: false });
      runs.push({ text: text.slice(i, i + term.length), match: true });
      i += term.length;
      plainFrom = i;
    } else {
      i++;
    }
  }
  if (plainFrom < text.length) runs.push({ text: text.slice(plainFrom), match: false });
  return runs;
}

/** Candidate links in running text; each is checked by `webUrl` before it becomes a link. */
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/giu;

/**
 * Splits `text` into plain pieces and http(s) links. Trailing punctuation stays text
 * ("see https://x.org/a." links "https://x.org/a").
 * @param {string} text
 * @returns {Piece[]}
 */
export function linkify(text) {
  /** @type {Piece[]} */
  const pieces = [];
  let from = 0;
  for (const m of text.matchAll(LINK)) {
    let raw = m[0];
    while (/[.,;:!?)\]}]$/u.test(raw)) raw = raw.slice(0, -1);
    const url = webUrl(raw);
    const at = m.index ?? 0;
    if (!url) continue;
    if (at > from) pieces.push({ text: text.slice(from, at), url: null });
    pieces.push({ text: raw, url });
    from = at + raw.length;
  }
  if (from < text.length || pieces.length === 0) pieces.push({ text: text.slice(from), url: null });
  return pieces;
}
