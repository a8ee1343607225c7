import type { Knex } from 'knex';

// The rate-limit buckets are written by every API request, all of one credential's on one row.
// Unlogged, a take's commit does not wait for the WAL to reach the disk, so that row's lock is
// held for microseconds rather than an fsync. What it costs: after a database crash (not a clean
// restart) the buckets are emptied: every credential starts again with a full burst.
export async function up(db: Knex): Promise<void> {
  await db.raw('ALTER TABLE api_rate_limits SET UNLOGGED');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('ALTER TABLE api_rate_limits SET LOGGED');
}
