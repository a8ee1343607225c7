import { createHash, randomBytes } from 'node:crypto';

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform random base62 text (rejection sampling keeps every character equally likely). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += base62[byte % 62];
    }
  }
  return out;
}

export const idPrefixes = {
  integration: 'int_',
  token: 'tok_',
  webhook: 'wh_',
  event: 'evt_',
  delivery: 'dlv_',
} as const;
export type IdKind = keyof typeof idPrefixes;

/** A new opaque id such as `wh_` + 24 random base62 characters. */
export function newId(kind: IdKind): string {
  return idPrefixes[kind] + randomBase62(24);
}

export const apiTokenPrefix = 'eudr_live_';
export const apiTokenPattern = /^eudr_live_[0-9A-Za-z]{32,}$/;

export function newApiToken(): string {
  return apiTokenPrefix + randomBase62(40);
}

/** Tokens are long and random, so a plain SHA-256 is a safe, fast lookup key. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64');
}
