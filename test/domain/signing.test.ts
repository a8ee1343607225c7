import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { plainSignature, signatureHeaders, standardSignature } from '../../src/domain/signing';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ event: 'supplier.created', timestamp: '2025-01-02T03:04:05.678Z', integrationId: 'int_x', data: { name: 'Müller ✓' } });
const eventTimestamp = '2025-01-02T03:04:05.678Z';

describe('plainSignature', () => {
  it('is sha256= and the hex HMAC of timestamp.body keyed with the whole secret string', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const expected = createHmac('sha256', secret).update(`${eventTimestamp}.${body}`).digest('hex');
    expect(plainSignature(secret, eventTimestamp, body)).toBe(`sha256=${expected}`);
    expect(plainSignature(secret, eventTimestamp, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('standardSignature', () => {
  it('verifies with the standardwebhooks library', () => {
    const secret = newSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'dlv_abc', 'webhook-timestamp': String(now), 'webhook-signature': standardSignature(secret, 'dlv_abc', now, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('does not verify under another secret', () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'dlv_abc', 'webhook-timestamp': String(now), 'webhook-signature': standardSignature(newSecret(), 'dlv_abc', now, body) };
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => standardSignature('not-a-secret', 'dlv_abc', 1, body)).toThrow(/whsec_/);
  });
});

describe('signatureHeaders', () => {
  const attemptUnixSeconds = Math.floor(Date.now() / 1000);

  it('carries the delivery id, the attempt time and one signature of each kind', () => {
    const secret = newSecret();
    const headers = signatureHeaders({ secrets: [secret], deliveryId: 'dlv_1', eventTimestamp, attemptUnixSeconds, body });
    expect(headers).toEqual({
      'X-Webhook-Signature': plainSignature(secret, eventTimestamp, body),
      'webhook-id': 'dlv_1',
      'webhook-timestamp': String(attemptUnixSeconds),
      'webhook-signature': standardSignature(secret, 'dlv_1', attemptUnixSeconds, body),
    });
    expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
  });

  it('signs with every secret during a rotation, verifiable with each', () => {
    const secrets = [newSecret(), newSecret()];
    const headers = signatureHeaders({ secrets, deliveryId: 'dlv_2', eventTimestamp, attemptUnixSeconds, body });

    const plain = headers['X-Webhook-Signature'].split(',');
    expect(plain).toEqual(secrets.map((secret) => plainSignature(secret, eventTimestamp, body)));
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of secrets) {
      const expected = createHmac('sha256', secret).update(`${eventTimestamp}.${body}`).digest('hex');
      expect(plain).toContain(`sha256=${expected}`);
      expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
    }
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });

  it('needs at least one secret', () => {
    expect(() => signatureHeaders({ secrets: [], deliveryId: 'dlv_3', eventTimestamp, attemptUnixSeconds, body })).toThrow();
  });
});
