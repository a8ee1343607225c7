import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../src/api/app';
import { createRepositories } from '../../src/db';
import type { Db } from '../../src/db/knex';
import { createSecretBox } from '../../src/db/secret-box';
import { hashApiToken, newApiToken, newId } from '../../src/domain/ids';
import { createLogger } from '../../src/logger';
import { adminKey, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { cutOffDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

// Small limits so the tests are quick: a burst of 3, refilled at one request a minute (so no
// token comes back while a test runs, except in the refill test, which sets its own rate).
const burst = 3;
const limits = { API_RATE_LIMIT_BURST: String(burst), API_RATE_LIMIT_PER_MINUTE: '1' };

let t: TestApp;
let app: Express;
let secondDb: Db;
beforeAll(async () => {
  t = await createTestApp({ env: limits });
  app = t.app;
  secondDb = t.connectAgain();
});
afterAll(async () => {
  if (secondDb !== t.repos.db) await secondDb.destroy();
  await t.close();
});

/** A fresh credential: an integration token made straight in the database, so no API request is spent on it. */
async function newToken(integrationId?: string): Promise<string> {
  const id = integrationId ?? (await t.repos.integrations.insert({ id: newId('integration'), name: 'Rate Co' })).id;
  const token = newApiToken();
  await t.repos.tokens.insert({ id: newId('token'), integrationId: id, tokenHash: hashApiToken(token) });
  return token;
}

const listWebhooks = (target: Express, token: string) => withBearer(target, token).get('/api/v1/integration/webhook-events');

/** Another app on the same database, as a second API process: nothing shared but the database. */
function secondApp(db: Db, env = t.config): Express {
  return buildApp({ config: env, repos: createRepositories(db, createSecretBox(t.config.secretEncryptionKey!)), logger: createLogger('silent'), temporal: t.temporal });
}

describe('the API rate limit per credential', () => {
  it('answers with the RateLimit headers, then 429 rate_limited with Retry-After once the burst is spent', async () => {
    const token = await newToken();
    for (let remaining = burst - 1; remaining >= 0; remaining--) {
      const res = await listWebhooks(app, token).expect(200);
      expect(res.headers['ratelimit-limit']).toBe(String(burst));
      expect(res.headers['ratelimit-remaining']).toBe(String(remaining));
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(res.headers['retry-after']).toBeUndefined();
    }
    const limited = await listWebhooks(app, token);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    // One request a minute: the next token is about a minute away.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(50);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-limit']).toBe(String(burst));
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(Number(limited.headers['retry-after']));
  });

  it('counts every answer of a limited route, a refused body too, and a 429 changes nothing', async () => {
    const token = await newToken();
    const before = await t.repos.db('webhooks').count({ n: '*' });
    for (let i = 0; i < burst; i++) {
      const res = await withBearer(app, token).post('/api/v1/integration/webhook-events', { url: 'ftp://nope' }).expect(400);
      expect(res.headers['ratelimit-remaining']).toBe(String(burst - 1 - i));
    }
    const res = await withBearer(app, token).post('/api/v1/integration/webhook-events', { url: 'https://hooks.example.com/a', events: ['sync.completed'] });
    expect(res.status).toBe(429);
    expect(await t.repos.db('webhooks').count({ n: '*' })).toEqual(before);
  });

  it("keeps one credential's flood from slowing another: each token and the admin key have a bucket of their own", async () => {
    const integration = await t.repos.integrations.insert({ id: newId('integration'), name: 'Two tokens' });
    const flooding = await newToken(integration.id);
    const sameIntegration = await newToken(integration.id);
    const otherIntegration = await newToken();
    const flood = await Promise.all(Array.from({ length: 12 }, () => listWebhooks(app, flooding)));
    expect(flood.filter((res) => res.status === 200)).toHaveLength(burst);
    expect(flood.filter((res) => res.status === 429)).toHaveLength(12 - burst);

    const other = await listWebhooks(app, sameIntegration).expect(200);
    expect(other.headers['ratelimit-remaining']).toBe(String(burst - 1));
    await listWebhooks(app, otherIntegration).expect(200);
    const admin = await withBearer(app, adminKey).get('/api/v1/admin/integrations').expect(200);
    expect(admin.headers['ratelimit-limit']).toBe(String(burst));
  });

  it('keys buckets by credential id, never by the secret', async () => {
    const token = await newToken();
    await listWebhooks(app, token).expect(200);
    await withBearer(app, adminKey).get('/api/v1/admin/integrations');
    const keys: string[] = (await t.repos.db('api_rate_limits').select('key')).map((row: { key: string }) => row.key);
    expect(keys).toContain('admin');
    expect(keys.every((key) => key === 'admin' || /^token:tok_[0-9A-Za-z]+$/.test(key))).toBe(true);
    expect(keys.join(' ')).not.toContain(token);
    expect(keys.join(' ')).not.toContain(adminKey);
  });

  it('answers unauthenticated requests 401, unlimited and without a bucket', async () => {
    const before = await t.repos.db('api_rate_limits').count({ n: '*' });
    for (let i = 0; i < burst * 3; i++) {
      const res = await request(app).get('/api/v1/integration/webhook-events').set('Authorization', `Bearer ${newApiToken()}`);
      expect(res.status).toBe(401);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
      await request(app).get('/api/v1/admin/integrations').expect(401);
    }
    expect(await t.repos.db('api_rate_limits').count({ n: '*' })).toEqual(before);
  });

  it('is one limit for two API processes on one database', async () => {
    const other = secondApp(secondDb);
    const token = await newToken();
    await listWebhooks(app, token).expect(200);
    await listWebhooks(other, token).expect(200);
    await listWebhooks(app, token).expect(200);
    expect((await listWebhooks(other, token)).status).toBe(429);
    expect((await listWebhooks(app, token)).status).toBe(429);
  });

  it('refills at the configured rate', async () => {
    const quick = secondApp(t.repos.db, { ...t.config, apiRateLimitBurst: 1, apiRateLimitPerMinute: 600 });
    const token = await newToken();
    await listWebhooks(quick, token).expect(200);
    const limited = await listWebhooks(quick, token);
    if (limited.status === 429) expect(limited.headers['retry-after']).toBe('1');
    await waitFor('a token to come back', async () => ((await listWebhooks(quick, token)).status === 200 ? true : undefined), 5000);
  });

  it('answers 503 unavailable, never 500, when the store cannot be reached or fails', async () => {
    const token = await newToken();
    const cut = cutOffDatabase(t.repos.rateLimits, 'take');
    try {
      const res = await listWebhooks(app, token);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
      expect((await withBearer(app, adminKey).get('/api/v1/admin/integrations')).status).toBe(503);
    } finally {
      cut.restore();
    }
    const take = t.repos.rateLimits.take;
    t.repos.rateLimits.take = async () => {
      throw new Error('relation "api_rate_limits" does not exist');
    };
    try {
      expect((await listWebhooks(app, token)).status).toBe(503);
    } finally {
      t.repos.rateLimits.take = take;
    }
    await listWebhooks(app, token).expect(200);
  });
});

describe('the rate limit of a publication, taken by its own statement', () => {
  const publish = (body: object) => withBearer(app, adminKey).post('/api/v1/admin/events', body);
  const supplier = (integrationId: string, changes: object = {}) => ({ integrationId, event: 'supplier.created', data: { externalId: 'e', internalId: 'i' }, ...changes });
  const remainingOf = (res: request.Response) => res.headers['ratelimit-remaining'];
  const eventCount = async () => (await t.repos.db('events').count({ n: '*' }))[0];
  let integrationId: string;
  beforeEach(async () => {
    // The admin key's bucket, full again: the tests above spent some of it.
    await t.repos.db('api_rate_limits').where({ key: 'admin' }).delete();
    integrationId = (await t.repos.integrations.insert({ id: newId('integration'), name: 'Publisher' })).id;
  });

  it('takes a token per publication, and past the burst answers 429 with the headers and records nothing', async () => {
    for (let remaining = burst - 1; remaining >= 0; remaining--) {
      const res = await publish(supplier(integrationId)).expect(202);
      expect(remainingOf(res)).toBe(String(remaining));
      expect(res.headers['ratelimit-limit']).toBe(String(burst));
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
    }
    const before = await eventCount();
    const id = newId('event');
    const limited = await publish(supplier(integrationId, { id }));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(50);
    expect(remainingOf(limited)).toBe('0');
    expect(await t.repos.events.find(integrationId, id)).toBeUndefined();
    expect(await eventCount()).toEqual(before);
  });

  it('counts every refused publication, the ones refused before its statement too, and then refuses with 429 first', async () => {
    const id = newId('event');
    expect(remainingOf(await publish(supplier(integrationId, { id })).expect(202))).toBe('2');
    // The same id as another event type: refused by the statement, which took its token.
    expect(remainingOf(await publish(supplier(integrationId, { id, event: 'supplier.updated' })).expect(409))).toBe('1');
    // Not JSON: refused before the handler.
    const badJson = await withBearer(app, adminKey).post('/api/v1/admin/events').set('Content-Type', 'application/json').send('{"integrationId":');
    expect(badJson.status).toBe(400);
    expect(remainingOf(badJson)).toBe('0');

    const before = await eventCount();
    const refusals = [
      await publish({ event: 'supplier.created' }),
      await publish(supplier(newId('integration'))),
      await withBearer(app, adminKey).post('/api/v1/admin/events').set('Content-Type', 'text/plain').send('hello'),
      await publish(supplier(integrationId)),
    ];
    expect(refusals.map((res) => res.status)).toEqual([429, 429, 429, 429]);
    expect(refusals.map(remainingOf)).toEqual(['0', '0', '0', '0']);
    expect(await eventCount()).toEqual(before);
  });

  it('answers an unknown integration 404 with the headers of the token it took', async () => {
    const res = await publish(supplier(newId('integration'))).expect(404);
    expect(res.body.error.code).toBe('not_found');
    expect(remainingOf(res)).toBe('2');
  });

  it("shares the admin key's one bucket with the other admin requests", async () => {
    expect(remainingOf(await publish(supplier(integrationId)).expect(202))).toBe('2');
    expect(remainingOf(await withBearer(app, adminKey).get('/api/v1/admin/integrations').expect(200))).toBe('1');
    expect(remainingOf(await publish(supplier(integrationId)).expect(202))).toBe('0');
    expect((await withBearer(app, adminKey).get('/api/v1/admin/integrations')).status).toBe(429);
    expect((await publish(supplier(integrationId))).status).toBe(429);
  });

  it('answers 503 unavailable when the database cannot be reached, and takes no token', async () => {
    const cut = cutOffDatabase(t.repos.publications, 'record');
    try {
      const res = await publish(supplier(integrationId));
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    } finally {
      cut.restore();
    }
    expect(remainingOf(await publish(supplier(integrationId)).expect(202))).toBe('2');
  });

  it('answers an unauthenticated publication 401 without touching the limiter', async () => {
    for (let i = 0; i < burst * 2; i++) {
      const res = await withBearer(app, newApiToken()).post('/api/v1/admin/events', supplier(integrationId));
      expect(res.status).toBe(401);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
    expect(await t.repos.db('api_rate_limits').where({ key: 'admin' }).first()).toBeUndefined();
  });
});
