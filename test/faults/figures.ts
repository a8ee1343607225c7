import type { ApiAnswer } from './api-client';
import { successesByDelivery, type ReceivedAttempt } from './fault-receiver';
import type { PublishTally } from './publish-stream';

/** A delivery as the API's delivery log lists it, with its attempts' status codes. */
export interface LoggedDelivery {
  id: string;
  eventId: string;
  status: string;
  attemptStatusCodes: (number | null)[];
}

export interface Figures {
  fault: string;
  rest: PublishTally;
  publisher: PublishTally;
  acknowledged: number;
  /** Acknowledged events whose delivery never got a 2xx answer from the receiver. */
  lost: string[];
  /** Deliveries the log and the receiver disagree on (delivered without a 2xx, or the other way round). */
  logDisagrees: string[];
  /** Events with more than one delivery to the scenario's one webhook: a publish recorded twice. */
  deliveredTwice: string[];
  /** Refused publishes whose event the service recorded all the same, and so delivers: the refusal came too late. */
  refusedButRecorded: string[];
  /** 2xx answers beyond the first, summed over deliveries. */
  duplicates: number;
  inFlightAtFault: number;
  /** Deliveries whose last attempt before the fault had failed: they were waiting for a retry when it struck. */
  inBackoffAtFault: number;
  /** The API's answers while the fault lasted, by status and error code. */
  answersDuringFault: Map<string, number>;
  /** Every API answer of the scenario that was a 500. */
  internalErrors: number;
}

export interface FigureInputs {
  fault: string;
  rest: PublishTally;
  publisher: PublishTally;
  deliveries: LoggedDelivery[];
  /** The receiver's attempts for this scenario's webhook. */
  attempts: ReceivedAttempt[];
  inFlightAtFault: number;
  answers: ApiAnswer[];
  faultWindow: { from: number; to: number };
}

const isSuccess = (code: number | null) => code !== null && code >= 200 && code < 300;

/** Compares what was acknowledged with what the receiver answered and the delivery log recorded. */
export function computeFigures({ fault, rest, publisher, deliveries, attempts, inFlightAtFault, answers, faultWindow }: FigureInputs): Figures {
  const successes = successesByDelivery(attempts);
  const byEvent = new Map(deliveries.map((d) => [d.eventId, d]));
  const acknowledged = [...rest.acknowledged, ...publisher.acknowledged];
  const lost = acknowledged.filter((eventId) => {
    const delivery = byEvent.get(eventId);
    return !delivery || !successes.has(delivery.id);
  });
  const logDisagrees = deliveries
    .filter((d) => (d.status === 'delivered' && d.attemptStatusCodes.some(isSuccess)) !== successes.has(d.id))
    .map((d) => d.id);
  const deliveriesPerEvent = countBy(deliveries, (d) => d.eventId);
  const deliveredTwice = [...deliveriesPerEvent].filter(([, n]) => n > 1).map(([eventId]) => eventId);
  const refusedButRecorded = [...rest.refusedIds, ...publisher.refusedIds].filter((eventId) => byEvent.has(eventId));
  const duplicates = [...successes.values()].reduce((sum, n) => sum + n - 1, 0);
  const during = answers.filter((a) => a.at >= faultWindow.from && a.at <= faultWindow.to);
  return {
    fault,
    rest,
    publisher,
    acknowledged: acknowledged.length,
    lost,
    logDisagrees,
    deliveredTwice,
    refusedButRecorded,
    duplicates,
    inFlightAtFault,
    inBackoffAtFault: inBackoffAt(attempts, faultWindow.from),
    answersDuringFault: countBy(during, answerName),
    internalErrors: answers.filter((a) => a.status === 500).length,
  };
}

function inBackoffAt(attempts: ReceivedAttempt[], at: number): number {
  const lastBefore = new Map<string, ReceivedAttempt>();
  for (const a of attempts) if (a.receivedAt < at) lastBefore.set(a.deliveryId, a);
  return [...lastBefore.values()].filter((a) => !isSuccess(a.status)).length;
}

const answerName = (a: ApiAnswer) => (a.status === 0 ? 'no answer' : `${a.status}${a.code ? ` ${a.code}` : ''}`);

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const listCounts = (counts: Map<string, number>) =>
  counts.size === 0 ? 'none' : [...counts].sort(([, a], [, b]) => b - a).map(([name, n]) => `${n} × ${name}`).join(', ');

/** How many, and the first few for a reader to look up. */
const countAndFirst = (ids: string[]) => (ids.length === 0 ? '0' : `${ids.length}: ${ids.slice(0, 5).join(', ')}`);

/** The scenario's figures as a table, for the run's output. */
export function figuresTable(f: Figures): string {
  const rows: [string, string][] = [
    ['publishes acknowledged', `${f.acknowledged} (REST ${f.rest.acknowledged.length}, publisher ${f.publisher.acknowledged.length})`],
    ['publishes refused, REST', `${f.rest.refusedIds.length}${f.rest.refused.size ? `: ${listCounts(f.rest.refused)}` : ''}`],
    ['publishes refused, publisher', `${f.publisher.refusedIds.length}${f.publisher.refused.size ? `: ${listCounts(f.publisher.refused)}` : ''}`],
    ['refused, but recorded all the same', countAndFirst(f.refusedButRecorded)],
    ['deliveries in backoff at the fault', String(f.inBackoffAtFault)],
    ['deliveries lost', `${f.lost.length} of ${f.acknowledged} acknowledged${f.lost.length ? `: ${f.lost.slice(0, 5).join(', ')}` : ''}`],
    ['duplicate 2xx answers', `${f.duplicates} (attempts in flight at the fault: ${f.inFlightAtFault})`],
    ['delivery log disagrees', countAndFirst(f.logDisagrees)],
    ['events with two deliveries', countAndFirst(f.deliveredTwice)],
    ['API answers during the fault', listCounts(f.answersDuringFault)],
    ['API 500 answers', String(f.internalErrors)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [`== ${f.fault}`, ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)].join('\n');
}
