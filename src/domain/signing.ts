import { createHmac } from 'node:crypto';

const secretPrefix = 'whsec_';

/**
 * `X-Webhook-Signature`: `sha256=` + hex HMAC-SHA256 of `timestamp.body`. The key is the whole
 * secret string as integrators see it (prefix included), so they can verify without decoding it.
 */
export function plainSignature(secret: string, timestamp: string, body: string): string {
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `sha256=${digest}`;
}

/**
 * Standard Webhooks `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `msgId.unixSeconds.body`,
 * keyed with the bytes the secret's base64 part encodes, as the spec's libraries expect.
 */
export function standardSignature(secret: string, msgId: string, unixSeconds: number, body: string): string {
  if (!secret.startsWith(secretPrefix)) throw new Error(`webhook secret must start with ${secretPrefix}`);
  const key = Buffer.from(secret.slice(secretPrefix.length), 'base64');
  const digest = createHmac('sha256', key).update(`${msgId}.${unixSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${digest}`;
}

export interface SignatureInput {
  /** Every secret valid now, newest first; more than one only during a rotation's grace period. */
  secrets: string[];
  deliveryId: string;
  /** The event's timestamp exactly as sent in `X-Webhook-Timestamp` and the body. */
  eventTimestamp: string;
  /** When this attempt is made; Standard Webhooks receivers reject stale timestamps. */
  attemptUnixSeconds: number;
  body: string;
}

export interface SignatureHeaders {
  'X-Webhook-Signature': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Both signature schemes, one signature per valid secret, so a rotation breaks no receiver. */
export function signatureHeaders({ secrets, deliveryId, eventTimestamp, attemptUnixSeconds, body }: SignatureInput): SignatureHeaders {
  if (secrets.length === 0) throw new Error('at least one webhook secret is needed to sign a delivery');
  return {
    'X-Webhook-Signature': secrets.map((secret) => plainSignature(secret, eventTimestamp, body)).join(','),
    'webhook-id': deliveryId,
    'webhook-timestamp': String(attemptUnixSeconds),
    'webhook-signature': secrets.map((secret) => standardSignature(secret, deliveryId, attemptUnixSeconds, body)).join(' '),
  };
}
