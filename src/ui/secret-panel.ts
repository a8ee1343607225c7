/** A signing secret shown exactly once (after creating a webhook or rotating its secret), with a copy button. */
import { h, uid, type Child } from './dom';
import { announce } from './feedback';

/** `onDone` runs when the user dismisses the panel. */
export function secretPanel(title: string, secret: string, notes: Child[], onDone: () => void): { panel: HTMLElement; heading: HTMLElement } {
  const inputId = uid('secret');
  const headingId = uid('secret-heading');
  const input = h('input', { id: inputId, class: 'mono secret__value', type: 'text', readonly: true, spellcheck: 'false', autocomplete: 'off', value: secret });
  const copyResult = h('p', { class: 'hint', hidden: true });
  const heading = h('h2', { id: headingId, tabindex: '-1' }, title);
  const copy = h('button', { type: 'button', class: 'button' }, 'Copy secret');
  copy.addEventListener('click', async () => {
    const copied = await copyText(secret, input);
    const message = copied
      ? 'Secret copied to the clipboard.'
      : 'Could not copy automatically. The secret is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    copyResult.textContent = message;
    copyResult.hidden = false;
    announce(message);
    if (!copied) {
      input.focus();
      input.select();
    }
  });
  const panel = h(
    'section',
    { class: 'card secret', 'aria-labelledby': headingId },
    heading,
    h('p', { class: 'secret__warning' }, h('strong', {}, 'Copy this secret now. It will not be shown again.')),
    ...notes,
    h('label', { for: inputId }, 'Signing secret'),
    h('div', { class: 'secret__row' }, input, copy),
    copyResult,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: () => { panel.remove(); onDone(); } }, 'Done')),
  );
  return { panel, heading };
}

/** The clipboard API where allowed (secure contexts), else select the text and try execCommand. */
async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Denied or unavailable: fall back to the selection.
    }
  }
  try {
    input.focus();
    input.select();
    input.setSelectionRange(0, text.length);
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
