// @ts-check
// The virtual list's arithmetic: which rows a scroll position shows and where each goes.
// Rows all have one height. Past `MAX_SCROLL_PX` the scrollable height is capped (browsers
// stop honouring taller elements) and the scroll position maps linearly onto the rows, so
// the first and the last row stay reachable however many there are. Pure: node tests it.

/** A row's height in px; styles.css sets `.event-row` to the same. */
export const ROW_HEIGHT = 64;
/** Rows rendered beyond each edge of the screen, so a fast scroll shows no gap. */
export const OVERSCAN = 6;
/** The tallest scrollable area used (WebKit and Chromium cap near 33,554,432 px). */
export const MAX_SCROLL_PX = 8_000_000;

/**
 * @typedef {object} Window
 * @property {number} height of the scrollable area, px
 * @property {number} first first row rendered
 * @property {number} last one past the last row rendered
 * @property {number} visibleFirst first row at least partly on screen
 * @property {number} visibleLast one past the last row on screen
 * @property {number} shift px to add to `index * rowHeight` to place a row (0 unless capped)
 */

/**
 * @param {number} total rows
 * @param {number} scrollTop px
 * @param {number} viewport height on screen, px
 * @param {number} [rowHeight]
 * @param {number} [overscan]
 * @returns {Window}
 */
export function windowAt(total, scrollTop, viewport, rowHeight = ROW_HEIGHT, overscan = OVERSCAN) {
  const full = total * rowHeight;
  const height = Math.min(full, MAX_SCROLL_PX);
  const top = virtualTop(total, scrollTop, viewport, rowHeight);
  const visibleFirst = Math.min(total, Math.max(0, Math.floor(top / rowHeight)));
  const visibleLast = Math.min(total, Math.max(visibleFirst, Math.ceil((top + viewport) / rowHeight)));
  return {
    height,
    first: Math.max(0, visibleFirst - overscan),
    last: Math.min(total, visibleLast + overscan),
    visibleFirst,
    visibleLast,
    shift: Math.max(0, scrollTop) - top,
  };
}

/**
 * Where the rows' own coordinate is at the top of the screen: equal to `scrollTop` until
 * the height is capped, then scaled so that the end of the scroll is the end of the rows.
 * @param {number} total
 * @param {number} scrollTop
 * @param {number} viewport
 * @param {number} rowHeight
 * @returns {number}
 */
export function virtualTop(total, scrollTop, viewport, rowHeight = ROW_HEIGHT) {
  const full = total * rowHeight;
  const height = Math.min(full, MAX_SCROLL_PX);
  const top = Math.max(0, scrollTop);
  if (full === height || height <= viewport) return top;
  return top * ((full - viewport) / (height - viewport));
}

/**
 * The scrollTop that puts row `index` at the top of the screen (or as near as the end allows).
 * @param {number} total
 * @param {number} index
 * @param {number} viewport
 * @param {number} [rowHeight]
 * @returns {number}
 */
export function scrollTopFor(total, index, viewport, rowHeight = ROW_HEIGHT) {
  const full = total * rowHeight;
  const height = Math.min(full, MAX_SCROLL_PX);
  const wanted = Math.max(0, Math.min(index * rowHeight, full - viewport));
  if (full === height || height <= viewport) return wanted;
  return wanted / ((full - viewport) / (height - viewport));
}

/**
 * The scrollTop that brings row `index` fully on screen with the least movement, or null when
 * it already is.
 * @param {number} total
 * @param {number} index
 * @param {number} scrollTop
 * @param {number} viewport
 * @param {number} [rowHeight]
 * @returns {number | null}
 */
export function revealRow(total, index, scrollTop, viewport, rowHeight = ROW_HEIGHT) {
  const top = virtualTop(total, scrollTop, viewport, rowHeight);
  const rowTop = index * rowHeight;
  if (rowTop >= top && rowTop + rowHeight <= top + viewport) return null;
  const target = rowTop < top ? index : Math.max(0, index - Math.floor(viewport / rowHeight) + 1);
  return scrollTopFor(total, target, viewport, rowHeight);
}
