/** Telling the user what happened: the live status line, API errors in plain words, busy buttons. */
import { ApiFailure, SignedOut, describeError } from './api';
import { showErrorLines } from './dom';

const statusEl = document.getElementById('status') as HTMLElement;

let announceTimer: number | undefined;
let announcedAt = 0;

/** Polite status message in the live region (also visible at the top of the page). */
export function announce(message: string): void {
  window.clearTimeout(announceTimer);
  announcedAt = Date.now();
  statusEl.textContent = '';
  statusEl.classList.remove('status--visible');
  // A fresh text node in a fresh task, so repeating the same message is announced again.
  announceTimer = window.setTimeout(() => {
    statusEl.textContent = message;
    statusEl.classList.add('status--visible');
  }, 30);
}

export function clearAnnouncement(): void {
  window.clearTimeout(announceTimer);
  statusEl.textContent = '';
  statusEl.classList.remove('status--visible');
}

/** Whether something was announced in the last `ms` milliseconds (say, by the action that navigated). */
export const announcedWithin = (ms: number) => Date.now() - announcedAt <= ms;

/** Shows an API error in plain words in `box`; a 401 has already sent the user to sign-in. */
export function showError(box: HTMLElement, err: unknown): void {
  if (err instanceof SignedOut) return;
  if (!(err instanceof ApiFailure)) console.error(err);
  showErrorLines(box, describeError(err));
}

/** Disables a button while its action runs, with a busy label; its name and focus come back afterwards. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const children = [...button.childNodes];
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.replaceChildren(...children);
    if (hadFocus && (document.activeElement === null || document.activeElement === document.body)) button.focus();
  }
}
