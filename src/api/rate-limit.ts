import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { BucketRule, RateLimitRepository } from '../db/rate-limits';
import { ApiError } from '../http/errors';

export interface RateLimitSettings {
  apiRateLimitPerMinute: number;
  apiRateLimitBurst: number;
}

/** Who a request is limited as: set by the credential checks (auth.ts); never the secret itself. */
export const credentialOf = (res: Response): string => res.locals.credential;

/**
 * The API rate limit per credential (SPEC "Limits and protection"): a token bucket of
 * API_RATE_LIMIT_BURST requests refilled at API_RATE_LIMIT_PER_MINUTE, kept in the database so
 * that every API process shares it. Every answer carries RateLimit-Limit, -Remaining and -Reset;
 * past the limit, 429 with Retry-After. A store that cannot answer is a 503, never a 500.
 */
export function rateLimit({ buckets, settings, logger }: { buckets: RateLimitRepository; settings: RateLimitSettings; logger: Logger }): RequestHandler {
  const rule: BucketRule = { capacity: settings.apiRateLimitBurst, perSecond: settings.apiRateLimitPerMinute / 60 };
  const secondsUntil = (tokens: number) => Math.max(0, Math.ceil(tokens / rule.perSecond));
  return async (_req, res, next) => {
    let take;
    try {
      take = await buckets.take(credentialOf(res), rule);
    } catch (err) {
      logger.warn({ err }, 'rate limit store unavailable');
      throw new ApiError('unavailable', 'A backing service is unavailable; try again shortly');
    }
    res.set({
      'RateLimit-Limit': String(rule.capacity),
      'RateLimit-Remaining': String(Math.floor(take.tokens)),
      // Until the bucket is full again, that is until Remaining is back at Limit.
      'RateLimit-Reset': String(secondsUntil(rule.capacity - take.tokens)),
    });
    if (!take.allowed) {
      res.set('Retry-After', String(Math.max(1, secondsUntil(1 - take.tokens))));
      throw new ApiError('rate_limited', 'Too many requests for this credential; retry after the time in Retry-After');
    }
    next();
  };
}
