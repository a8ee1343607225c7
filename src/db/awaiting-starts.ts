import { Client } from 'pg';
import type { Knex } from 'knex';
import type { RemotePglite } from './pglite-sessions';
import type { Logger } from 'pino';

/** The channel on which a publishing process tells the workers that deliveries await their start. */
export const awaitingStartChannel = 'deliveries_awaiting_start';

/** How long a lost listening connection waits before it connects again. */
const reconnectAfterMs = 1_000;

export interface AwaitingStartListener {
  close(): Promise<void>;
}

/**
 * Calls `onAnnounced` whenever a publishing process announces deliveries awaiting their start: on
 * PostgreSQL (given its URL) over a connection of its own, which LISTEN holds; on the embedded PGlite
 * (`db` alone), through PGlite's own listener.
 */
export function listenForAwaitingStarts({ databaseUrl, db }: { databaseUrl?: string; db: Knex }, onAnnounced: () => void, logger: Logger): AwaitingStartListener {
  if (databaseUrl) return listenOnPostgres(databaseUrl, onAnnounced, logger);
  // PGlite, here or served by another thread (RemotePglite): both listen alike.
  const { pglite } = db.client as { pglite: Pick<RemotePglite, 'listen'> };
  const unlisten = pglite.listen(awaitingStartChannel, () => onAnnounced());
  return { close: async () => (await unlisten)() };
}

/** A worker's `announcedStarts` (startWorker): listenForAwaitingStarts on this database. */
export function announcedStartsOn(database: { databaseUrl?: string; db: Knex }, logger: Logger): (wake: () => void) => AwaitingStartListener {
  return (wake) => listenForAwaitingStarts(database, wake, logger);
}

/**
 * LISTEN on a PostgreSQL connection of its own. A lost connection is made again, and `onAnnounced`
 * called once it is, for what was announced meanwhile (the worker's sweep finds those too, only later).
 */
function listenOnPostgres(databaseUrl: string, onAnnounced: () => void, logger: Logger): AwaitingStartListener {
  let closed = false;
  let client: Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connectAgainSoon = (lost: Client) => {
    if (closed || lost !== client || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, reconnectAfterMs);
  };

  const connect = async () => {
    const next = new Client({ connectionString: databaseUrl, application_name: 'webhook-delivery start listener' });
    client = next;
    next.on('notification', () => onAnnounced());
    next.on('error', (err) => logger.warn({ err }, 'the start listener lost its database connection; connecting again'));
    next.on('end', () => connectAgainSoon(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${awaitingStartChannel}`);
      onAnnounced();
    } catch (err) {
      logger.warn({ err }, 'the start listener could not listen; trying again');
      connectAgainSoon(next);
      await next.end().catch(() => undefined);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
