// @ts-check
// The search slice: what is typed in the search box, and the words the timeline highlights.
// The search itself runs in the store (full text); this only keeps the text and its terms.

/**
 * @typedef {object} SearchSlice
 * @property {string} text as typed
 * @property {string[]} terms the words to highlight, lower case, longest first
 */

/** @returns {SearchSlice} */
export function initial() {
  return { text: "", terms: [] };
}

/**
 * The words of a search, as the store matches them (every word must appear): lower case,
 * without the quotes and operators FTS would read, longest first so a highlighter prefers
 * the longer of two overlapping words.
 * @param {string} text
 * @returns {string[]}
 */
export function searchTerms(text) {
  const words = text
    .toLowerCase()
    .split(/[\s"'()*:^+-]+/u)
    .filter((w) => w.length > 0 && !["and", "or", "not", "near"].includes(w));
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/**
 * @param {SearchSlice} search
 * @param {string} text
 * @returns {SearchSlice}
 */
export function setText(search, text) {
  return search.text === text ? search : { text, terms: searchTerms(text) };
}
