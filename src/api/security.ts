import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';

// The API's hardened HTTP surface (SPEC "Limits and protection"): security headers on every
// answer, a Content-Security-Policy per kind of answer, and CORS closed unless configured.

export type CspDirectives = Record<string, string[]>;

/** Allows nothing: the policy of every answer that is not a page (JSON loads nothing). */
const nothing: CspDirectives = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] };

/**
 * Every answer: `X-Content-Type-Options: nosniff`, no framing, no referrer, HSTS and the rest of
 * helmet's defaults, with a Content-Security-Policy that allows nothing; pages set their own.
 */
export const securityHeaders = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: nothing },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });

/** A page's Content-Security-Policy, in place of the one that allows nothing. */
export const contentSecurityPolicy = (directives: CspDirectives): RequestHandler =>
  helmet.contentSecurityPolicy({ useDefaults: false, directives });

/** The headers a browser script may read from API answers. */
const exposedHeaders = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'];

/**
 * CORS for /api/v1: no Access-Control-Allow-Origin for any origin unless CORS_ORIGINS lists some;
 * then for exactly those, preflight (OPTIONS) included.
 */
export function apiCors(origins: string[]): RequestHandler {
  return cors({
    origin: origins.length > 0 ? origins : false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders,
    maxAge: 600,
  });
}
