import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { plainSignature, signatureHeaders } from '../../src/domain/signing';
import { verifyWebhookSignature, WebhookVerificationError, type VerifyFailureReason, type VerifyOptions } from '../../src/client/verify-signature';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const eventTimestamp = '2025-01-02T03:04:05.678Z';
const payload = { event: 'supplier.created', timestamp: eventTimestamp, integrationId: 'int_x', data: { name: 'Müller ✓', records: 3 } };
const body = JSON.stringify(payload);
const nowMs = 1_750_000_000_000;
const nowSeconds = nowMs / 1000;
const now = () => nowMs;
const deliveryId = 'dlv_2abcdefghijklmnopqrstu';

type Headers = VerifyOptions['headers'];

/** Everything the sender signs with, as it sends it. */
function signed(secrets: string[], { attemptUnixSeconds = nowSeconds, text = body } = {}) {
  return { 'X-Webhook-Timestamp': eventTimestamp, 'X-Webhook-Delivery-Id': deliveryId, ...signatureHeaders({ secrets, deliveryId, eventTimestamp, attemptUnixSeconds, body: text }) };
}
const standardOnly = (h: Headers): Headers => ({ 'webhook-id': h['webhook-id'], 'webhook-timestamp': h['webhook-timestamp'], 'webhook-signature': h['webhook-signature'] });
const plainOnly = (h: Headers): Headers => ({
  'X-Webhook-Timestamp': h['X-Webhook-Timestamp'],
  'X-Webhook-Signature': h['X-Webhook-Signature'],
  'X-Webhook-Delivery-Id': h['X-Webhook-Delivery-Id'],
});
const upper = (h: Headers): Headers => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
const lower = (h: Headers): Headers => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function failure(options: VerifyOptions): WebhookVerificationError {
  try {
    verifyWebhookSignature(options);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toBeInstanceOf(Error);
    return error as WebhookVerificationError;
  }
  throw new Error('expected verification to fail');
}
const reasonOf = (options: VerifyOptions): VerifyFailureReason => failure(options).reason;

describe('verifyWebhookSignature', () => {
  describe('both schemes', () => {
    const secret = newSecret();
    const headers = signed([secret]);

    it('prefers Standard Webhooks when its headers are there', () => {
      expect(verifyWebhookSignature({ secret, headers, rawBody: body, now })).toEqual({ scheme: 'standard', deliveryId, payload });
    });

    it('verifies the standard scheme alone', () => {
      expect(verifyWebhookSignature({ secret, headers: standardOnly(headers), rawBody: body, now })).toEqual({ scheme: 'standard', deliveryId, payload });
    });

    it('verifies the plain scheme alone, returning X-Webhook-Delivery-Id when sent', () => {
      expect(verifyWebhookSignature({ secret, headers: plainOnly(headers), rawBody: body, now })).toEqual({ scheme: 'plain', deliveryId, payload });
      const { 'X-Webhook-Delivery-Id': _omitted, ...withoutId } = plainOnly(headers);
      expect(verifyWebhookSignature({ secret, headers: withoutId, rawBody: body, now })).toEqual({ scheme: 'plain', deliveryId: undefined, payload });
    });

    it('falls back to the plain scheme when the standard headers are incomplete', () => {
      const { 'webhook-signature': _omitted, ...partial } = headers;
      expect(verifyWebhookSignature({ secret, headers: partial, rawBody: body, now }).scheme).toBe('plain');
    });

    it('verifies a standard signature made independently by the standardwebhooks library', () => {
      const signature = new Webhook(secret).sign('msg_independent', new Date(nowMs), body);
      const result = verifyWebhookSignature({
        secret,
        headers: { 'webhook-id': 'msg_independent', 'webhook-timestamp': String(nowSeconds), 'webhook-signature': signature },
        rawBody: body,
        now,
      });
      expect(result).toEqual({ scheme: 'standard', deliveryId: 'msg_independent', payload });
    });

    it('produces standard headers that the standardwebhooks library itself accepts (same check on both sides)', () => {
      const fresh = signed([secret], { attemptUnixSeconds: Math.floor(Date.now() / 1000) });
      expect(new Webhook(secret).verify(body, standardOnly(fresh) as Record<string, string>)).toEqual(payload);
      expect(verifyWebhookSignature({ secret, headers: fresh, rawBody: body }).scheme).toBe('standard');
    });

    it('accepts a Buffer rawBody, multi-byte characters included', () => {
      const rawBody = Buffer.from(body, 'utf8');
      expect(verifyWebhookSignature({ secret, headers: standardOnly(headers), rawBody, now })).toEqual({ scheme: 'standard', deliveryId, payload });
      expect(verifyWebhookSignature({ secret, headers: plainOnly(headers), rawBody, now })).toEqual({ scheme: 'plain', deliveryId, payload });
    });
  });

  describe('header names', () => {
    const secret = newSecret();
    const headers = signed([secret]);

    it.each([
      ['as sent', (h: Headers) => h],
      ['lower case', lower],
      ['upper case', upper],
    ])('are case-insensitive (%s), for both schemes', (_label, transform) => {
      expect(verifyWebhookSignature({ secret, headers: transform(standardOnly(headers)), rawBody: body, now }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret, headers: transform(plainOnly(headers)), rawBody: body, now }).scheme).toBe('plain');
    });

    it("work with Node's IncomingHttpHeaders from a real request", async () => {
      const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const attemptUnixSeconds = Math.floor(Date.now() / 1000);
        for (const sent of [signed([secret], { attemptUnixSeconds }), plainOnly(signed([secret]))]) {
          const response = await fetch(`http://127.0.0.1:${port}/hook`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(sent as Record<string, string>) },
            body,
          });
          expect(response.status).toBe(200);
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(received).toHaveLength(2);
      expect(received[0].headers['x-webhook-signature']).toBeDefined();
      expect(received[0].headers['X-Webhook-Signature']).toBeUndefined();
      expect(verifyWebhookSignature({ secret, headers: received[0].headers, rawBody: received[0].body })).toEqual({ scheme: 'standard', deliveryId, payload });
      expect(verifyWebhookSignature({ secret, headers: received[1].headers, rawBody: received[1].body })).toEqual({ scheme: 'plain', deliveryId, payload });
    });
  });

  describe('tampering and wrong secrets', () => {
    const secret = newSecret();
    const headers = signed([secret]);
    const tampered = body.replace('"records":3', '"records":4');

    it('refuses a tampered body with signature_mismatch, in both schemes', () => {
      expect(tampered).not.toBe(body);
      expect(reasonOf({ secret, headers: standardOnly(headers), rawBody: tampered, now })).toBe('signature_mismatch');
      expect(reasonOf({ secret, headers: plainOnly(headers), rawBody: tampered, now })).toBe('signature_mismatch');
      expect(reasonOf({ secret, headers: plainOnly(headers), rawBody: Buffer.from(tampered), now })).toBe('signature_mismatch');
    });

    it('refuses a changed event timestamp or delivery id', () => {
      expect(reasonOf({ secret, headers: { ...plainOnly(headers), 'X-Webhook-Timestamp': '2025-01-02T03:04:05.679Z' }, rawBody: body, now })).toBe('signature_mismatch');
      expect(reasonOf({ secret, headers: { ...standardOnly(headers), 'webhook-id': 'dlv_other' }, rawBody: body, now })).toBe('signature_mismatch');
    });

    it('refuses a wrong secret, in both schemes', () => {
      const other = newSecret();
      const error = failure({ secret: other, headers: standardOnly(headers), rawBody: body, now });
      expect(error.reason).toBe('signature_mismatch');
      expect(error.message).toMatch(/webhook-signature/);
      expect(reasonOf({ secret: other, headers: plainOnly(headers), rawBody: body, now })).toBe('signature_mismatch');
    });

    it('refuses a secret without the whsec_ prefix, or none at all, with invalid_secret', () => {
      const error = failure({ secret: secret.slice('whsec_'.length), headers, rawBody: body, now });
      expect(error.reason).toBe('invalid_secret');
      expect(error.message).toMatch(/whsec_/);
      expect(reasonOf({ secret: [secret, 'not-a-secret'], headers, rawBody: body, now })).toBe('invalid_secret');
      expect(reasonOf({ secret: 'whsec_', headers, rawBody: body, now })).toBe('invalid_secret');
      expect(reasonOf({ secret: [], headers, rawBody: body, now })).toBe('invalid_secret');
    });
  });

  describe('secret rotation', () => {
    const oldSecret = newSecret();
    const newSecretValue = newSecret();
    const headers = signed([newSecretValue, oldSecret]);

    it('sends two signatures of each kind', () => {
      expect(headers['X-Webhook-Signature'].split(',')).toHaveLength(2);
      expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    });

    it.each([
      ['only the old secret', () => oldSecret],
      ['only the new secret', () => newSecretValue],
      ['both secrets', () => [oldSecret, newSecretValue]],
      ['a stranger and the old secret', () => [newSecret(), oldSecret]],
    ])('verifies for a receiver holding %s, in both schemes', (_label, secret) => {
      expect(verifyWebhookSignature({ secret: secret(), headers: standardOnly(headers), rawBody: body, now }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret: secret(), headers: plainOnly(headers), rawBody: body, now }).scheme).toBe('plain');
    });

    it('verifies a single-signature delivery for a receiver given several secrets', () => {
      const single = signed([oldSecret]);
      const secrets = [newSecretValue, oldSecret];
      expect(verifyWebhookSignature({ secret: secrets, headers: standardOnly(single), rawBody: body, now }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret: secrets, headers: plainOnly(single), rawBody: body, now }).scheme).toBe('plain');
    });

    it('still refuses a receiver holding neither secret', () => {
      expect(reasonOf({ secret: [newSecret(), newSecret()], headers: standardOnly(headers), rawBody: body, now })).toBe('signature_mismatch');
      expect(reasonOf({ secret: newSecret(), headers: plainOnly(headers), rawBody: body, now })).toBe('signature_mismatch');
    });

    it("accepts repeated headers as Node joins them (\", \") and as arrays", () => {
      const [plainA, plainB] = headers['X-Webhook-Signature'].split(',');
      const [stdA, stdB] = headers['webhook-signature'].split(' ');
      expect(verifyWebhookSignature({ secret: oldSecret, headers: { ...standardOnly(headers), 'webhook-signature': `${stdA}, ${stdB}` }, rawBody: body, now }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret: oldSecret, headers: { ...standardOnly(headers), 'webhook-signature': [stdA, stdB] }, rawBody: body, now }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret: oldSecret, headers: { ...plainOnly(headers), 'X-Webhook-Signature': `${plainA}, ${plainB}` }, rawBody: body, now }).scheme).toBe('plain');
      expect(verifyWebhookSignature({ secret: oldSecret, headers: { ...plainOnly(headers), 'x-webhook-signature': [plainA, plainB] }, rawBody: body, now }).scheme).toBe('plain');
    });
  });

  describe('timestamps', () => {
    const secret = newSecret();
    const at = (offsetSeconds: number) => standardOnly(signed([secret], { attemptUnixSeconds: nowSeconds + offsetSeconds }));

    it('accepts up to 300 seconds either way by default', () => {
      for (const offset of [-300, -1, 0, 1, 300]) {
        expect(verifyWebhookSignature({ secret, headers: at(offset), rawBody: body, now }).scheme).toBe('standard');
      }
    });

    it('refuses a stale timestamp with timestamp_too_old', () => {
      const error = failure({ secret, headers: at(-301), rawBody: body, now });
      expect(error.reason).toBe('timestamp_too_old');
      expect(error.message).toMatch(/301s old/);
      expect(reasonOf({ secret, headers: at(-86_400), rawBody: body, now })).toBe('timestamp_too_old');
    });

    it('refuses a future timestamp with timestamp_in_future', () => {
      const error = failure({ secret, headers: at(301), rawBody: body, now });
      expect(error.reason).toBe('timestamp_in_future');
      expect(error.message).toMatch(/301s in the future/);
    });

    it('checks the timestamp before the signature', () => {
      expect(reasonOf({ secret: newSecret(), headers: at(-301), rawBody: body, now })).toBe('timestamp_too_old');
    });

    it('uses toleranceSeconds for the window', () => {
      expect(reasonOf({ secret, headers: at(-61), rawBody: body, now, toleranceSeconds: 60 })).toBe('timestamp_too_old');
      expect(reasonOf({ secret, headers: at(61), rawBody: body, now, toleranceSeconds: 60 })).toBe('timestamp_in_future');
      expect(verifyWebhookSignature({ secret, headers: at(-60), rawBody: body, now, toleranceSeconds: 60 }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret, headers: at(-3_600), rawBody: body, now, toleranceSeconds: 7_200 }).scheme).toBe('standard');
      expect(verifyWebhookSignature({ secret, headers: at(3_600), rawBody: body, now, toleranceSeconds: 7_200 }).scheme).toBe('standard');
    });

    it('uses the real clock without now', () => {
      const fresh = standardOnly(signed([secret], { attemptUnixSeconds: Math.floor(Date.now() / 1000) - 3_600 }));
      expect(reasonOf({ secret, headers: fresh, rawBody: body })).toBe('timestamp_too_old');
    });

    it('does not apply the tolerance to the plain scheme, whose timestamp is the event time shared by all retries', () => {
      // The event was published in January 2025; this retry arrives months later.
      const headers = plainOnly(signed([secret]));
      expect(verifyWebhookSignature({ secret, headers, rawBody: body, now, toleranceSeconds: 1 })).toEqual({ scheme: 'plain', deliveryId, payload });
    });
  });

  describe('missing and malformed headers', () => {
    const secret = newSecret();
    const headers = signed([secret]);

    it('refuses a request without signature headers with missing_headers', () => {
      const error = failure({ secret, headers: { 'content-type': 'application/json' }, rawBody: body, now });
      expect(error.reason).toBe('missing_headers');
      expect(error.message).toMatch(/webhook-signature/);
      expect(reasonOf({ secret, headers: {}, rawBody: body, now })).toBe('missing_headers');
      expect(reasonOf({ secret, headers: { 'webhook-signature': headers['webhook-signature'], 'X-Webhook-Signature': undefined }, rawBody: body, now })).toBe('missing_headers');
      expect(reasonOf({ secret, headers: { 'X-Webhook-Signature': headers['X-Webhook-Signature'] }, rawBody: body, now })).toBe('missing_headers');
      expect(reasonOf({ secret, headers: { ...standardOnly(headers), 'webhook-signature': '' }, rawBody: body, now })).toBe('missing_headers');
    });

    it.each([
      'v1,',
      'v1,not base64!',
      'v1,AAAA',
      'v2,' + 'A'.repeat(43) + '=',
      'sha256=' + 'a'.repeat(64),
      'garbage',
    ])('refuses webhook-signature %j with malformed_signature', (value) => {
      expect(reasonOf({ secret, headers: { ...standardOnly(headers), 'webhook-signature': value }, rawBody: body, now })).toBe('malformed_signature');
    });

    it.each(['sha256=', 'sha256=zz', 'sha256=' + 'a'.repeat(63), 'md5=' + 'a'.repeat(64), 'v1,' + 'A'.repeat(43) + '='])(
      'refuses X-Webhook-Signature %j with malformed_signature',
      (value) => {
        expect(reasonOf({ secret, headers: { ...plainOnly(headers), 'X-Webhook-Signature': value }, rawBody: body, now })).toBe('malformed_signature');
      },
    );

    it('refuses a webhook-timestamp that is not Unix seconds with malformed_signature', () => {
      for (const value of ['soon', '2025-01-02T03:04:05Z', '1.5', '-5']) {
        expect(reasonOf({ secret, headers: { ...standardOnly(headers), 'webhook-timestamp': value }, rawBody: body, now })).toBe('malformed_signature');
      }
    });

    it('accepts upper-case hex, and treats a well-formed signature over other bytes as a mismatch', () => {
      const valid = headers['X-Webhook-Signature'];
      expect(verifyWebhookSignature({ secret, headers: { ...plainOnly(headers), 'X-Webhook-Signature': valid.toUpperCase().replace('SHA256=', 'sha256=') }, rawBody: body, now }).scheme).toBe('plain');
      expect(reasonOf({ secret, headers: { ...plainOnly(headers), 'X-Webhook-Signature': plainSignature(secret, eventTimestamp, body + ' ') }, rawBody: body, now })).toBe(
        'signature_mismatch',
      );
    });

    it('still verifies when a well-formed signature sits next to malformed entries', () => {
      const mixed = `v1a,somethingelse v1,short ${headers['webhook-signature']}`;
      expect(verifyWebhookSignature({ secret, headers: { ...standardOnly(headers), 'webhook-signature': mixed }, rawBody: body, now }).scheme).toBe('standard');
    });

    it('refuses conflicting values of a single-valued header', () => {
      expect(reasonOf({ secret, headers: { ...standardOnly(headers), 'Webhook-Id': 'dlv_other' }, rawBody: body, now })).toBe('malformed_signature');
    });

    it('throws a TypeError, not a verification error, for an already-parsed body', () => {
      expect(() => verifyWebhookSignature({ secret, headers, rawBody: payload as unknown as string, now })).toThrow(TypeError);
      expect(() => verifyWebhookSignature({ secret, headers, rawBody: payload as unknown as string, now })).toThrow(/express\.raw/);
    });
  });
});
