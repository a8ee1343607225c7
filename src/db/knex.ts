import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { knex, type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { Logger } from 'pino';

export type Db = Knex;

export interface DbOptions {
  /** A postgres:// URL; without it an embedded PGlite database is used. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files; omitted means in memory. */
  dataDir?: string;
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

/** A knex instance on PostgreSQL, or on embedded PGlite when no URL is given. */
export function createDb({ databaseUrl, dataDir, poolMax = 10, schema, logger }: DbOptions): Db {
  if (databaseUrl) {
    return knex({
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: poolMax },
      log: knexLog(logger),
      ...(schema ? { searchPath: [schema] } : {}),
    });
  }
  let connection = {};
  if (dataDir) {
    const filename = path.join(dataDir, 'pglite');
    mkdirSync(filename, { recursive: true });
    connection = { filename };
  }
  return knex({ client: ClientPgLite, dialect: 'postgres', connection, log: knexLog(logger) });
}
