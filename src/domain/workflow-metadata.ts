import type { Attempt } from './deliveries';
import type { DeliverEventInput, DeliverySettings, PublishEventInput } from './workflow-definitions';

/**
 * What each workflow says about itself in the Temporal Web UI (user metadata): the summary and
 * details its starter sets, and the current details the workflow keeps up to date. Workflows load
 * this file: plain string formatting, no Node built-ins.
 */

/** "850 ms", "5 s", "1.5 s", "5 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/** "13:05:12 UTC" (the date is left out: waits are short). */
export function clockTime(ms: number, { seconds = true } = {}): string {
  return `${new Date(ms).toISOString().slice(11, seconds ? 19 : 16)} UTC`;
}

/** "a, b and c". */
const listed = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/**
 * Host and path of a webhook URL, e.g. "erp.example.com/webhooks/eudr". The query string is left
 * out: integrators sometimes put credentials there, and the Web UI is seen by many.
 */
export function hostAndPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url;
  }
}

/** The URL as operators may see it: without its query string, which is only said to be there. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.search ? `${parsed.origin}${parsed.pathname} (and a query string, not shown)` : `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/** The retry schedule in words: "up to 4 attempts, retrying 1 s, 5 s and 30 s after a failure; 10 s limit per attempt". */
export function scheduleText(settings: DeliverySettings): string {
  const retries = settings.retryDelaysMs.length === 0 ? 'no retries' : `retrying ${listed(settings.retryDelaysMs.map(duration))} after a failure`;
  const attempts = settings.retryDelaysMs.length === 0 ? 'one attempt' : `up to ${settings.retryDelaysMs.length + 1} attempts`;
  return `${attempts}, ${retries}; ${duration(settings.attemptTimeoutMs)} limit per attempt`;
}

/** A delivery's summary and details, fixed at its start (the URL is unknown to fan-outs recorded before it was planned with them). */
export function deliveryMetadata(input: DeliverEventInput, targetUrl: string | undefined, settings: DeliverySettings) {
  return {
    staticSummary: `${input.eventType} → ${targetUrl ? hostAndPath(targetUrl) : `webhook ${input.webhookId}`}`,
    staticDetails: [
      `Delivery \`${input.deliveryId}\` of event \`${input.eventId}\` (\`${input.eventType}\`)`,
      '',
      `- Webhook: \`${input.webhookId}\``,
      `- Integration: \`${input.integrationId}\``,
      `- Target: ${targetUrl ? shownUrl(targetUrl) : 'the webhook\'s URL'}`,
      `- Schedule: ${scheduleText(settings)}`,
    ].join('\n'),
  };
}

/** What one attempt's answer was, as the attempt activity reports it. */
export type AttemptAnswer = Pick<Attempt, 'statusCode' | 'errorClass' | 'errorMessage' | 'durationMs'>;

const longestMessage = 160;

/** "HTTP 500 in 120 ms", "connection refused (connect ECONNREFUSED 10.0.0.1:443) in 3 ms". */
export function answerText(answer: AttemptAnswer | undefined): string {
  if (!answer) return 'no answer recorded';
  const took = ` in ${duration(answer.durationMs)}`;
  if (answer.statusCode !== null) return `HTTP ${answer.statusCode}${took}`;
  const what = (answer.errorClass ?? 'error').replace(/_/g, ' ');
  const message = answer.errorMessage ? ` (${answer.errorMessage.slice(0, longestMessage)})` : '';
  return `${what}${message}${took}`;
}

/** A delivery's current details at each step. */
export const deliveryProgress = {
  sending: (attempt: number, of: number) => `sending attempt ${attempt} of ${of}`,
  retrying: (attempt: number, of: number, answer: AttemptAnswer | undefined, nextAtMs: number) =>
    `attempt ${attempt} of ${of} failed: ${answerText(answer)}; attempt ${attempt + 1} at ${clockTime(nextAtMs)}`,
  delivered: (attempt: number, answer: AttemptAnswer | undefined) => `delivered on attempt ${attempt}: ${answerText(answer)}`,
  failed: (attempt: number, of: number, answer: AttemptAnswer | undefined) =>
    attempt < of ? `failed on attempt ${attempt}: ${answerText(answer)}` : `failed: all ${of} attempts failed, the last: ${answerText(answer)}`,
  gone: (attempt: number, answer: AttemptAnswer | undefined) =>
    `failed on attempt ${attempt}: ${answerText(answer)} (Gone); the webhook is disabled, no further attempt`,
  undeliverable: (reason: string) => `failed: cannot be delivered: ${reason}`,
  skipped: 'skipped: webhook disabled',
  webhookDeleted: 'cancelled: webhook deleted',
  cancelled: 'cancelled by request',
};

/** Summaries of a delivery's steps, as the Web UI lists them in the workflow's history. */
export const deliveryStepSummary = {
  attempt: (attempt: number, of: number) => `POST attempt ${attempt}/${of}`,
  wait: (ms: number, nextAttempt: number) => `wait ${duration(ms)} before attempt ${nextAttempt}`,
};

/** A health workflow's summary, fixed at its start: "health of wh_... (erp.example.com)". */
export function healthSummary(webhookId: string, url: string | undefined): string {
  return url ? `health of webhook ${webhookId} (${hostAndPath(url).split('/')[0]})` : `health of webhook ${webhookId}`;
}

/** Why a webhook is off, as its health workflow's details say it. */
const disabledBecause: Record<string, string> = {
  gone: ': its receiver answered 410 Gone',
  manual: ' by hand',
};

/** A health workflow's current details. */
export const healthProgress = {
  counting: (failures: number, disableAt: number) =>
    `${failures} consecutive failed ${failures === 1 ? 'delivery' : 'deliveries'} (disables at ${disableAt})`,
  /** `atMs` is unknown to a run that continued a disabled one. */
  disabled: (failures: number, atMs: number | undefined) =>
    `disabled${atMs === undefined ? '' : ` at ${clockTime(atMs, { seconds: false })}`} after ${failures} consecutive failed deliveries`,
  /** Disabled by other means (by hand, or after a 410 Gone; `reason` as saved, when known): the count goes on. */
  disabledElsewhere: (failures: number, disableAt: number, reason?: string | null) =>
    `webhook is disabled${disabledBecause[reason ?? ''] ?? ''}; ${healthProgress.counting(failures, disableAt)}`,
  deleted: 'webhook deleted: no longer watched',
};

/** The fan-out's summary, fixed at its start: "publish supplier.created evt_... (int_...)". */
export function publishSummary(event: Pick<PublishEventInput, 'id' | 'event' | 'integrationId'>): string {
  return `publish ${event.event} ${event.id} (${event.integrationId})`;
}

/** The publication workflow's summary. */
export const publicationsSummary = 'publications of the TypeScript publisher';

/** The publication workflow's current details: how many events this run has recorded. */
export const publicationsProgress = (events: number) => `recorded ${events} ${events === 1 ? 'event' : 'events'} in this run`;

/** The fan-out's current details once it started its deliveries. */
export const publishProgress = {
  started: (webhooks: number) => `started deliveries to ${webhooks} ${webhooks === 1 ? 'webhook' : 'webhooks'}`,
  leftToWorkers: (webhooks: number) => `recorded deliveries to ${webhooks} ${webhooks === 1 ? 'webhook' : 'webhooks'}; the workers start them`,
};
