// @ts-check
// Small DOM helpers for the views. Text goes in through `textContent` only: nothing the
// backend sends (event data, names, URLs, messages) is ever parsed as markup.

/**
 * @typedef {object} ElOptions
 * @property {string} [className]
 * @property {string} [id]
 * @property {string} [text] set as textContent
 * @property {Record<string, string>} [attrs] plain attributes (never `style` or `on*`: CSP)
 */

/**
 * Creates an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElOptions} [options]
 * @param {Node[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.id) node.id = options.id;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.appendChild(child);
  return node;
}

/**
 * Sets text only when it changed, so re-rendering an unchanged row touches nothing.
 * @param {Element} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Sets an attribute only when it changed.
 * @param {Element} node
 * @param {string} name
 * @param {string} value
 */
export function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/**
 * Shows or hides with the `hidden` attribute (the end-to-end tests look for it).
 * @param {HTMLElement} node
 * @param {boolean} shown
 */
export function show(node, shown) {
  if (node.hidden === shown) node.hidden = !shown;
}

/**
 * Makes `parent`'s children exactly `nodes`, in order, moving as few as possible. Rows that
 * stay keep their DOM node, so focus and "show more" state survive a re-render.
 * @param {Element} parent
 * @param {Node[]} nodes
 */
export function reconcile(parent, nodes) {
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
    } else {
      parent.insertBefore(node, cursor);
    }
  }
  while (cursor) {
    const next = cursor.nextSibling;
    parent.removeChild(cursor);
    cursor = next;
  }
}

/**
 * Looks up an element that index.html must contain; a missing one is a bug worth a loud error.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`index.html lacks #${id} (${type.name})`);
  return node;
}
