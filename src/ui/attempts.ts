/** The attempts of one delivery, as a table: when, how long, the HTTP status or error, the response excerpt. */
import type { DeliveryDetail } from './api';
import { h, time, type Child } from './dom';

export function attemptsTable(detail: DeliveryDetail): HTMLElement {
  if (detail.attempts.length === 0) return h('p', { class: 'muted' }, 'No attempts yet.');
  return h(
    'table',
    { class: 'attempts-table' },
    h('caption', {}, `Attempts of delivery ${detail.id}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'num' }, 'Attempt'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col', class: 'num' }, 'Duration'),
        h('th', { scope: 'col' }, 'Result'),
        h('th', { scope: 'col' }, 'Response'),
      ),
    ),
    h(
      'tbody',
      {},
      ...detail.attempts.map((attempt) =>
        h(
          'tr',
          {},
          h('td', { class: 'num' }, String(attempt.attempt)),
          h('td', {}, time(attempt.startedAt)),
          h('td', { class: 'num' }, `${attempt.durationMs} ms`),
          h('td', {}, attemptResult(attempt)),
          h('td', {}, attempt.responseExcerpt ? h('pre', { class: 'excerpt' }, attempt.responseExcerpt) : h('span', { class: 'muted' }, 'Empty')),
        ),
      ),
    ),
  );
}

/** The HTTP status as a badge, the error class and message when the attempt failed, and the wait before the next. */
function attemptResult(attempt: DeliveryDetail['attempts'][number]): Child {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  const parts: Child[] = [];
  if (attempt.statusCode !== null) parts.push(h('span', { class: `badge badge--${ok ? 'ok' : 'bad'}` }, `HTTP ${attempt.statusCode}`));
  if (attempt.error && (!ok || attempt.statusCode === null)) {
    parts.push(h('div', { class: 'small' }, `${attempt.error.class.replace(/_/g, ' ')}${attempt.error.message ? `: ${attempt.error.message}` : ''}`));
  }
  if (attempt.nextAttemptInMs !== null && attempt.nextAttemptInMs !== undefined) {
    parts.push(h('div', { class: 'small muted' }, `next attempt ${seconds(attempt.nextAttemptInMs)} later`));
  }
  return parts.length ? h('div', {}, ...parts) : '—';
}

/** "0.1 s", "5 s", "300 s". */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
