/** Tiny DOM helpers: elements are built with textContent only (never HTML strings). */

export type Child = Node | string | number | null | undefined | false;

type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

/**
 * h('button', { type: 'button', onclick: fn, 'aria-expanded': 'false' }, 'Show')
 * `on…` keys add listeners, `class` sets the class, booleans toggle attributes, the rest are attributes.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = String(value);
    } else if (key === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (key === 'checked' && el instanceof HTMLInputElement) {
      el.checked = Boolean(value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

let idCounter = 0;
/** A document-unique id for label/aria wiring. */
export const uid = (prefix: string) => `${prefix}-${++idCounter}`;

/** Moves focus to an element that is not focusable by default (headings, panels). */
export function focusElement(el: HTMLElement | null | undefined): void {
  if (!el) return;
  if (!el.hasAttribute('tabindex') && !isFocusable(el)) el.setAttribute('tabindex', '-1');
  el.focus();
}

const isFocusable = (el: HTMLElement) =>
  el instanceof HTMLButtonElement || el instanceof HTMLInputElement || el instanceof HTMLAnchorElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;

/** "3 Jan 2025, 14:05:09" in the reader's locale, inside a <time> element. */
export function time(iso: string | null | undefined): Child {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { datetime: iso }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
}

/** Shows (or clears, with no lines) an error next to the control that caused it; announced by screen readers. */
export function showErrorLines(box: HTMLElement, lines: string[]): void {
  box.replaceChildren();
  if (lines.length === 0) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  if (lines.length === 1) {
    box.append(h('p', {}, lines[0]));
  } else {
    box.append(h('p', {}, 'Please correct the following:'), h('ul', {}, ...lines.map((line) => h('li', {}, line))));
  }
}

/** An (initially hidden) error box: role="alert" so a change is announced. */
export const errorBox = (id?: string) => h('div', { class: 'error', role: 'alert', id, hidden: true });
