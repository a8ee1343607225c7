import { receiptKey, type BenchReceiver } from './receiver';
import type { Audience, Side } from './sides';

/** What a scenario measured, in the load process: every delivery's publish-to-receipt and every publish's acknowledgement, ms. */
export interface Timings {
  deliveries: number;
  seconds: number;
  latencies: number[];
  acks: number[];
}

/** The scenarios timed side by side (parked, measured apart, is not one of them). */
export const scenarioNames = ['burst', 'serial', 'fan-out', 'publish-under-load'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface ScenarioRequest {
  scenario: ScenarioName;
  single: Audience;
  /** The fan-out's audience (fan-out, publish under load). */
  wide?: Audience;
  tag: string;
  burstEvents: number;
  concurrency: number;
  serialEvents: number;
  /** Under load, each publisher publishes once every this many ms. */
  pacingMs: number;
}

/** Runs one scenario against one side. */
export function runScenario(side: Side, receiver: BenchReceiver, request: ScenarioRequest): Promise<Timings> {
  const { single, wide, tag, burstEvents, concurrency } = request;
  if (request.scenario === 'burst') return burst(side, receiver, single, burstEvents, concurrency, tag);
  if (request.scenario === 'serial') return serial(side, receiver, single, request.serialEvents, tag);
  if (request.scenario === 'fan-out') return burst(side, receiver, wide!, 1, 1, tag);
  return underLoad(side, receiver, request);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `events` events from `concurrency` publishers at once; every delivery's publish-to-receipt time.
 * Each publisher publishes its next event as soon as the last was acknowledged, or, given
 * `pacingMs`, once every `pacingMs` (the publishers spread over the first interval).
 */
async function burst(side: Side, receiver: BenchReceiver, to: Audience, events: number, concurrency: number, tag: string, pacingMs = 0): Promise<Timings> {
  const ids = Array.from({ length: events }, (_, i) => `${tag}-${i}`);
  const publishedAt = new Map<string, number>();
  const acks: number[] = [];
  const started = performance.now();
  const publishers = Math.min(concurrency, events);
  let next = 0;
  await Promise.all(
    Array.from({ length: publishers }, async (_, publisher) => {
      let due = started + (pacingMs * publisher) / publishers;
      while (next < ids.length) {
        await sleep(due - performance.now());
        const id = ids[next++];
        if (id === undefined) break;
        const t0 = performance.now();
        publishedAt.set(id, t0);
        await side.publish(id, to);
        acks.push(performance.now() - t0);
        due += pacingMs;
      }
    }),
  );
  const expected = ids.flatMap((id) => to.urls.map((url) => ({ id, key: receiptKey(id, url) })));
  const receipts = await receiver.receipts(expected.map((e) => e.key));
  if (receipts.size < expected.length) throw new Error(`${side.name}: only ${receipts.size} of ${expected.length} deliveries arrived`);
  const latencies = expected.map((e) => receipts.get(e.key)! - publishedAt.get(e.id)!);
  return { deliveries: expected.length, seconds: (Math.max(...receipts.values()) - started) / 1000, latencies, acks };
}

/**
 * Publish latency while deliveries run: a fan-out keeps the worker and server busy while
 * `concurrency` publishers publish `burstEvents` events, each once every `pacingMs`; the row's
 * latencies and acknowledgements are those events'.
 */
async function underLoad(side: Side, receiver: BenchReceiver, { single, wide, tag, burstEvents, concurrency, pacingMs }: ScenarioRequest): Promise<Timings> {
  const load = burst(side, receiver, wide!, 1, 1, `${tag}-load`);
  await sleep(1000);
  const [loadTimings, timings] = await Promise.all([load, burst(side, receiver, single, burstEvents, concurrency, tag, pacingMs)]);
  return { ...timings, deliveries: timings.deliveries + loadTimings.deliveries, seconds: Math.max(timings.seconds + 1, loadTimings.seconds) };
}

/** One event at a time: the next is published once the last one arrived (latency on an idle system). */
async function serial(side: Side, receiver: BenchReceiver, to: Audience, events: number, tag: string): Promise<Timings> {
  const latencies: number[] = [];
  const acks: number[] = [];
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    const id = `${tag}-${i}`;
    const t0 = performance.now();
    await side.publish(id, to);
    acks.push(performance.now() - t0);
    const receipts = await receiver.receipts([receiptKey(id, to.urls[0])], 60_000);
    if (receipts.size === 0) throw new Error(`${side.name}: event ${id} did not arrive`);
    latencies.push([...receipts.values()][0] - t0);
  }
  return { deliveries: events, seconds: (performance.now() - started) / 1000, latencies, acks };
}
