import { timingSafeEqual } from 'node:crypto';
import { plainSignature, standardSignature } from '../domain/signing';

/**
 * Signature verification for integrators' Node receivers. Every delivery carries two signatures
 * (see SPEC "A delivery"); this prefers the Standard Webhooks one, which also bounds replays in
 * time, and falls back to the plain `X-Webhook-Signature` one.
 */

export type VerifyFailureReason =
  | 'missing_headers'
  | 'malformed_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'signature_mismatch'
  | 'invalid_secret';

export class WebhookVerificationError extends Error {
  readonly reason: VerifyFailureReason;

  constructor(reason: VerifyFailureReason, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

export interface VerifyOptions {
  /** The webhook's secret (`whsec_...`), or several during a rotation: any one of them may match. */
  secret: string | string[];
  /** The request headers, e.g. Node's `IncomingHttpHeaders` or a plain object; names are matched case-insensitively. */
  headers: Record<string, string | string[] | undefined>;
  /** The request body exactly as received, before any JSON parsing. */
  rawBody: string | Buffer;
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The current time in milliseconds; for tests. Default `Date.now`. */
  now?: () => number;
}

export interface VerifiedWebhook {
  scheme: 'standard' | 'plain';
  /** `webhook-id` (standard) or `X-Webhook-Delivery-Id` (plain, when sent): the same on every attempt, use it to deduplicate. */
  deliveryId?: string;
  /** The parsed JSON body. */
  payload: unknown;
}

const secretPrefix = 'whsec_';
const defaultToleranceSeconds = 300;
// A v1 signature is the base64 of a 32-byte HMAC-SHA256: 43 characters and one `=`.
const standardSignatureFormat = /^v1,[A-Za-z0-9+/]{43}=$/;
const plainSignatureFormat = /^sha256=[0-9a-fA-F]{64}$/;
const unixSecondsFormat = /^\d{1,15}$/;

/**
 * Verifies a delivery's signature and returns its parsed body. Throws `WebhookVerificationError`
 * (with a `reason`) when the request is not a genuine delivery signed with one of the secrets.
 * A body that is correctly signed but not JSON makes `JSON.parse` throw its own `SyntaxError`.
 */
export function verifyWebhookSignature(options: VerifyOptions): VerifiedWebhook {
  const secrets = checkSecrets(options.secret);
  const body = bodyText(options.rawBody);
  const headers = lowerCased(options.headers);

  const webhookId = single(headers, 'webhook-id');
  const webhookTimestamp = single(headers, 'webhook-timestamp');
  const webhookSignatures = headers.get('webhook-signature') ?? [];
  if (webhookId !== undefined && webhookTimestamp !== undefined && webhookSignatures.length > 0) {
    return verifyStandard(options, secrets, body, webhookId, webhookTimestamp, webhookSignatures);
  }

  const eventTimestamp = single(headers, 'x-webhook-timestamp');
  const plainSignatures = headers.get('x-webhook-signature') ?? [];
  if (eventTimestamp !== undefined && plainSignatures.length > 0) {
    return verifyPlain(secrets, body, eventTimestamp, plainSignatures, single(headers, 'x-webhook-delivery-id'));
  }

  throw new WebhookVerificationError(
    'missing_headers',
    'no signature headers: expected webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks) or X-Webhook-Timestamp and X-Webhook-Signature',
  );
}

function verifyStandard(
  options: VerifyOptions,
  secrets: string[],
  body: string,
  msgId: string,
  timestampHeader: string,
  signatureHeaders: string[],
): VerifiedWebhook {
  if (!unixSecondsFormat.test(timestampHeader)) {
    throw new WebhookVerificationError('malformed_signature', `webhook-timestamp is not a Unix time in seconds: ${JSON.stringify(timestampHeader)}`);
  }
  const timestamp = Number(timestampHeader);
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new RangeError(`toleranceSeconds must be a non-negative number, got ${tolerance}`);
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (nowSeconds - timestamp > tolerance) {
    throw new WebhookVerificationError('timestamp_too_old', `webhook-timestamp is ${nowSeconds - timestamp}s old, more than the ${tolerance}s tolerated`);
  }
  if (timestamp - nowSeconds > tolerance) {
    throw new WebhookVerificationError('timestamp_in_future', `webhook-timestamp is ${timestamp - nowSeconds}s in the future, more than the ${tolerance}s tolerated`);
  }

  // Space-separated `v1,<base64>` entries, one per secret during a rotation. Node joins a repeated
  // header with ", ", hence the trailing commas dropped; other versions (e.g. v1a) are skipped.
  const candidates = signatureHeaders
    .flatMap((value) => value.split(/\s+/))
    .map((entry) => entry.replace(/,$/, ''))
    .filter((entry) => standardSignatureFormat.test(entry));
  if (candidates.length === 0) {
    throw new WebhookVerificationError('malformed_signature', 'webhook-signature holds no well-formed v1 signature');
  }
  const expected = secrets.map((secret) => standardSignature(secret, msgId, timestamp, body));
  if (!anyMatch(expected, candidates)) {
    throw new WebhookVerificationError('signature_mismatch', 'no webhook-signature matches the body for any given secret');
  }
  return { scheme: 'standard', deliveryId: msgId, payload: JSON.parse(body) };
}

function verifyPlain(secrets: string[], body: string, eventTimestamp: string, signatureHeaders: string[], deliveryId: string | undefined): VerifiedWebhook {
  // No tolerance check here, on purpose: X-Webhook-Timestamp is the EVENT's timestamp, fixed when
  // the event was published and sent unchanged on every attempt, and retries (or a delivery that
  // waited for a worker) can legitimately arrive long after it. Rejecting old values would refuse
  // genuine retries. It only binds the signature to that event; against replays, deduplicate on
  // X-Webhook-Delivery-Id, or rely on the Standard Webhooks headers, whose timestamp is per attempt.
  const candidates = signatureHeaders
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => plainSignatureFormat.test(entry))
    .map((entry) => entry.toLowerCase());
  if (candidates.length === 0) {
    throw new WebhookVerificationError('malformed_signature', 'X-Webhook-Signature holds no well-formed sha256= signature');
  }
  const expected = secrets.map((secret) => plainSignature(secret, eventTimestamp, body));
  if (!anyMatch(expected, candidates)) {
    throw new WebhookVerificationError('signature_mismatch', 'no X-Webhook-Signature matches the body for any given secret');
  }
  return { scheme: 'plain', deliveryId, payload: JSON.parse(body) };
}

/** Compares every pair, without stopping early, in constant time per pair. */
function anyMatch(expected: string[], candidates: string[]): boolean {
  let matched = false;
  for (const want of expected) {
    const wantBytes = Buffer.from(want, 'utf8');
    for (const candidate of candidates) {
      const candidateBytes = Buffer.from(candidate, 'utf8');
      if (candidateBytes.length === wantBytes.length && timingSafeEqual(candidateBytes, wantBytes)) matched = true;
    }
  }
  return matched;
}

function checkSecrets(secret: string | string[]): string[] {
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0) throw new WebhookVerificationError('invalid_secret', 'no webhook secret given');
  for (const s of secrets) {
    if (typeof s !== 'string' || !s.startsWith(secretPrefix) || s.length === secretPrefix.length) {
      throw new WebhookVerificationError('invalid_secret', `a webhook secret must be a non-empty string starting with ${secretPrefix}`);
    }
  }
  return secrets;
}

function bodyText(rawBody: string | Buffer): string {
  if (typeof rawBody === 'string') return rawBody;
  if (Buffer.isBuffer(rawBody)) return rawBody.toString('utf8');
  throw new TypeError('rawBody must be the request body as received (string or Buffer), not parsed JSON; with Express use express.raw({ type: "application/json" })');
}

/** Header values by lower-cased name; names differing only in case are merged, empty values dropped. */
function lowerCased(headers: VerifyOptions['headers']): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    if (values.length === 0) continue;
    const key = name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), ...values]);
  }
  return byName;
}

/** A header that must have one value: several different ones make the request ambiguous. */
function single(headers: Map<string, string[]>, name: string): string | undefined {
  const values = [...new Set((headers.get(name) ?? []).map((v) => v.trim()))];
  if (values.length > 1) throw new WebhookVerificationError('malformed_signature', `${name} has several different values`);
  return values[0];
}
