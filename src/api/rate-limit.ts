import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Bucket, BucketRule, RateLimitRepository, Take } from '../db/rate-limits';
import { ApiError } from '../http/errors';

export interface RateLimitSettings {
  apiRateLimitPerMinute: number;
  apiRateLimitBurst: number;
}

/** Who a request is limited as: set by the credential checks (auth.ts); never the secret itself. */
export const credentialOf = (res: Response): string | undefined => res.locals.credential;

/** Where a request stands with a token taken by its route rather than before it (`defer`). */
type Deferral = 'deferred' | 'claimed';
const deferralOf = (res: Response): Deferral | undefined => res.locals.rateLimitDeferral;

/**
 * The API rate limit per credential (SPEC "Limits and protection"): a token bucket of
 * API_RATE_LIMIT_BURST requests refilled at API_RATE_LIMIT_PER_MINUTE, kept in the database so
 * that every API process shares it. Every answer carries RateLimit-Limit, -Remaining and -Reset;
 * past the limit, 429 with Retry-After. A store that cannot answer is a 503, never a 500.
 *
 * `take` takes a token before the route runs. The busiest route, a publication, takes it in its
 * own statement instead (one round trip fewer): `defer` marks it, its handler `claim`s the bucket
 * for its statement and `answer`s the take; `takeOnError` takes it for an answer given before the
 * handler claimed it (a bad body), so that every answer counts, exactly as with `take`.
 */
export interface RateLimiter {
  take: RequestHandler;
  defer: RequestHandler;
  /** The bucket a deferred route's statement takes its token from; from then on the route answers it. */
  claim(res: Response): Bucket;
  /** The RateLimit headers of a take; past the limit, throws the 429 (with Retry-After). */
  answer(res: Response, take: Take): void;
  takeOnError: ErrorRequestHandler;
}

export function createRateLimiter({ buckets, settings, logger }: { buckets: RateLimitRepository; settings: RateLimitSettings; logger: Logger }): RateLimiter {
  const rule: BucketRule = { capacity: settings.apiRateLimitBurst, perSecond: settings.apiRateLimitPerMinute / 60 };
  const secondsUntil = (tokens: number) => Math.max(0, Math.ceil(tokens / rule.perSecond));

  const answer = (res: Response, take: Take): void => {
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
  };

  const takeNow = async (res: Response, credential: string): Promise<void> => {
    let take;
    try {
      take = await buckets.take(credential, rule);
    } catch (err) {
      logger.warn({ err }, 'rate limit store unavailable');
      throw new ApiError('unavailable', 'A backing service is unavailable; try again shortly');
    }
    answer(res, take);
  };

  const take: RequestHandler = async (_req, res, next) => {
    if (deferralOf(res) === undefined) await takeNow(res, credentialOf(res)!);
    next();
  };

  const defer: RequestHandler = (_req, res, next) => {
    res.locals.rateLimitDeferral = 'deferred' satisfies Deferral;
    next();
  };

  const claim = (res: Response): Bucket => {
    res.locals.rateLimitDeferral = 'claimed' satisfies Deferral;
    return { key: credentialOf(res)!, rule };
  };

  // Unauthenticated (no credential yet): answered without touching the limiter, as with `take`.
  const takeOnError: ErrorRequestHandler = async (err, _req, res, next) => {
    const credential = credentialOf(res);
    if (deferralOf(res) === 'deferred' && credential !== undefined) {
      res.locals.rateLimitDeferral = 'claimed' satisfies Deferral;
      await takeNow(res, credential);
    }
    next(err);
  };

  return { take, defer, claim, answer, takeOnError };
}
