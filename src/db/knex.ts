import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { knex, type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { remotePglite, type RemotePglite } from './pglite-sessions';

export type Db = Knex;

export interface DbOptions {
  /** A postgres:// URL; without it an embedded PGlite database is used. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files; omitted means in memory. */
  dataDir?: string;
  /** The embedded database held by another thread, as a session of its own (pglite-thread.ts). */
  pgliteSession?: MessagePort;
  /** Connection pool size for PostgreSQL. */
  poolMax?: number;
  /** PostgreSQL schema to work in (tests isolate themselves this way); default `public`. */
  schema?: string;
  /** Where knex's own warnings go (it prints to the console otherwise). */
  logger?: Logger;
}

function knexLog(logger?: Logger): Knex.Config['log'] {
  const to = (level: 'warn' | 'error' | 'debug') => (message: unknown) => logger?.[level]({ knex: String(message) }, 'knex');
  return { warn: to('warn'), error: to('error'), deprecate: to('warn'), debug: to('debug') };
}

/**
 * knex-pglite on a session of a PGlite another thread holds (remotePglite). Its port is closed with
 * the knex, even if no statement ever took the connection (a listener uses the session directly).
 */
class ClientRemotePgLite extends ClientPgLite {
  async destroy(callback?: (err?: unknown) => void): Promise<void> {
    await super.destroy(callback);
    await (this as unknown as { pglite: RemotePglite }).pglite.close();
  }
}

/** A knex instance on PostgreSQL, or on embedded PGlite when no URL is given. */
export function createDb({ databaseUrl, dataDir, pgliteSession, poolMax = 10, schema, logger }: DbOptions): Db {
  if (databaseUrl) {
    return knex({
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: poolMax },
      log: knexLog(logger),
      ...(schema ? { searchPath: [schema] } : {}),
    });
  }
  const log = knexLog(logger);
  if (pgliteSession) {
    const connection = { pglite: remotePglite(pgliteSession) } as unknown as Knex.StaticConnectionConfig;
    return knex({ client: ClientRemotePgLite, dialect: 'postgres', connection, log });
  }
  return knex({ client: ClientPgLite, dialect: 'postgres', connection: { filename: pgliteDirectory(dataDir) } as Knex.StaticConnectionConfig, log });
}

/** Where the embedded database keeps its files under `dataDir` (created); none means in memory. */
export function pgliteDirectory(dataDir: string | undefined): string | undefined {
  if (!dataDir) return undefined;
  const filename = path.join(dataDir, 'pglite');
  mkdirSync(filename, { recursive: true });
  return filename;
}
