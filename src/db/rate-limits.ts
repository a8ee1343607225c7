import type { Knex } from 'knex';

/** A token bucket: holds at most `capacity` requests and refills at `perSecond`. */
export interface BucketRule {
  capacity: number;
  perSecond: number;
}

/** One key's bucket: what a take is made from. */
export interface Bucket {
  key: string;
  rule: BucketRule;
}

export interface Take {
  allowed: boolean;
  /** Tokens left after this take (fractional: the bucket refills continuously). */
  tokens: number;
}

const refilled = 'least(:limitCapacity, b.tokens + extract(epoch FROM now() - b.refilled_at) * :limitPerSecond)';

/**
 * A take, one atomic statement on the database's clock: refill for the time elapsed, then take a
 * token if there is a whole one. Returns `tokens, allowed`; also a CTE of the publication's
 * statement (publications.ts), which then records nothing when it is not allowed.
 */
export const takeStatement = `
  INSERT INTO api_rate_limits AS b (key, tokens, refilled_at, allowed)
  VALUES (:limitKey, :limitCapacity - 1, now(), true)
  ON CONFLICT (key) DO UPDATE SET
    tokens = ${refilled} - CASE WHEN ${refilled} >= 1 THEN 1 ELSE 0 END,
    allowed = ${refilled} >= 1,
    refilled_at = now()
  RETURNING tokens, allowed`;

export const takeBindings = ({ key, rule }: Bucket) => ({ limitKey: key, limitCapacity: Number(rule.capacity), limitPerSecond: Number(rule.perSecond) });

export const takeFromRow = (row: { tokens: number | string; allowed: boolean }): Take => ({ allowed: row.allowed, tokens: Number(row.tokens) });

/**
 * Token buckets in PostgreSQL, one row per key, so every API process shares one limit. Works the
 * same on PGlite.
 */
export function createRateLimitRepository(db: Knex) {
  return {
    async take(key: string, rule: BucketRule): Promise<Take> {
      const result = await db.raw(takeStatement, takeBindings({ key, rule }));
      return takeFromRow(result.rows[0]);
    },
  };
}

export type RateLimitRepository = ReturnType<typeof createRateLimitRepository>;
