import type { Publisher } from '../../src/client';

/** What became of one channel's publishes: the ids acknowledged, the ids refused, and the refusals by reason. */
export interface PublishTally {
  acknowledged: string[];
  refusedIds: string[];
  refused: Map<string, number>;
}

/** One publish: resolves with the acknowledged event id, or throws saying why it was refused. */
type PublishOne = (eventId: string) => Promise<void>;

export interface PublishStream {
  rest: PublishTally;
  publisher: PublishTally;
  /** Stops publishing; resolves once every publish under way has its answer. */
  stop(): Promise<void>;
}

/** The gap between one channel's publishes: a steady trickle that two shared cores carry. */
const pauseMs = 150;

/**
 * Publishes events one after another over REST and, alongside, with the TypeScript publisher, until
 * stopped. Each event's id (`prefix` and a number) is also its `data.internalId`, so a receiver can
 * tell the events apart.
 */
export function startPublishStream(prefix: string, rest: PublishOne, publisher: PublishOne): PublishStream {
  let stopped = false;
  const channel = (name: string, publish: PublishOne): { tally: PublishTally; done: Promise<void> } => {
    const tally: PublishTally = { acknowledged: [], refusedIds: [], refused: new Map() };
    const done = (async () => {
      for (let n = 1; !stopped; n++) {
        const eventId = `evt_${prefix}-${name}-${n}`;
        try {
          await publish(eventId);
          tally.acknowledged.push(eventId);
        } catch (err) {
          const reason = (err as Error).message;
          tally.refusedIds.push(eventId);
          tally.refused.set(reason, (tally.refused.get(reason) ?? 0) + 1);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    })();
    return { tally, done };
  };
  const overRest = channel('rest', rest);
  const withPublisher = channel('publisher', publisher);
  return {
    rest: overRest.tally,
    publisher: withPublisher.tally,
    stop: async () => {
      stopped = true;
      await Promise.all([overRest.done, withPublisher.done]);
    },
  };
}

/** A publish with the TypeScript publisher; a refusal is named by its error's class and gRPC code. */
export function publishWith(publisher: Publisher, integrationId: string): PublishOne {
  return async (eventId) => {
    try {
      await publisher.publish({ integrationId, event: 'supplier.updated', data: { externalId: 'VENDOR-1', internalId: eventId }, id: eventId });
    } catch (err) {
      const { name, code } = err as { name?: string; code?: unknown };
      throw new Error(`${name ?? 'Error'}${code !== undefined ? ` (code ${String(code)})` : ''}`, { cause: err });
    }
  };
}
