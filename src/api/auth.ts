import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { apiTokenPattern, hashApiToken } from '../domain/ids';
import type { TokenRepository } from '../db/tokens';
import { ApiError } from '../http/errors';

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Admin routes: the Bearer token must equal ADMIN_API_KEY (compared in constant time, as
 * equal-length digests); with no key set, nothing passes.
 */
export function requireAdminKey(adminApiKey: string | undefined): RequestHandler {
  const expected = adminApiKey ? digest(adminApiKey) : undefined;
  return (req, res, next) => {
    const token = bearerToken(req);
    if (!expected || !token || !timingSafeEqual(digest(token), expected)) {
      throw new ApiError('unauthorized', 'A valid admin API key is required');
    }
    res.locals.credential = 'admin';
    next();
  };
}

/** The integration a request acts for (set by the token check, or from the path for admins). */
export const integrationOf = (res: Response): string => res.locals.integrationId;

/** Integration routes: a live integration token; its integration id and its own id (the credential) go to res.locals. */
export function requireIntegrationToken(tokens: TokenRepository): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    const found = token && apiTokenPattern.test(token) ? await tokens.findActiveByHash(hashApiToken(token)) : undefined;
    if (!found) throw new ApiError('unauthorized', 'A valid integration API token is required');
    res.locals.integrationId = found.integrationId;
    res.locals.credential = `token:${found.id}`;
    next();
  };
}
