import type { Knex } from 'knex';

/** A token bucket: holds at most `capacity` requests and refills at `perSecond`. */
export interface BucketRule {
  capacity: number;
  perSecond: number;
}

export interface Take {
  allowed: boolean;
  /** Tokens left after this take (fractional: the bucket refills continuously). */
  tokens: number;
}

/**
 * Token buckets in PostgreSQL, one row per key, so every API process shares one limit. A take
 * is one atomic statement on the database's clock: refill for the time elapsed, then take a
 * token if there is a whole one. Works the same on PGlite.
 */
export function createRateLimitRepository(db: Knex) {
  return {
    async take(key: string, { capacity, perSecond }: BucketRule): Promise<Take> {
      const refilled = 'least(:capacity, b.tokens + extract(epoch FROM now() - b.refilled_at) * :perSecond)';
      const result = await db.raw(
        `INSERT INTO api_rate_limits AS b (key, tokens, refilled_at, allowed)
         VALUES (:key, :capacity - 1, now(), true)
         ON CONFLICT (key) DO UPDATE SET
           tokens = ${refilled} - CASE WHEN ${refilled} >= 1 THEN 1 ELSE 0 END,
           allowed = ${refilled} >= 1,
           refilled_at = now()
         RETURNING tokens, allowed`,
        { key, capacity: Number(capacity), perSecond: Number(perSecond) },
      );
      const row = result.rows[0] as { tokens: number | string; allowed: boolean };
      return { allowed: row.allowed, tokens: Number(row.tokens) };
    },
  };
}

export type RateLimitRepository = ReturnType<typeof createRateLimitRepository>;
