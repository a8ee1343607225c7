import request from 'supertest';
import { buildApp } from '../../src/api/app';
import { createRepositories } from '../../src/db';
import { createDb } from '../../src/db/knex';
import { createSecretBox } from '../../src/db/secret-box';
import { createLogger } from '../../src/logger';
import { adminKey, asAdmin, createIntegration, createTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const countIntegrations = async () => Number((await t.repos.db('integrations').count({ n: '*' }))[0].n);

describe('request bodies', () => {
  it('answers 400 validation_failed for malformed JSON', async () => {
    const res = await request(t.app)
      .post('/api/v1/admin/integrations')
      .set('Authorization', `Bearer ${adminKey}`)
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(res.body).toEqual({ error: { code: 'validation_failed', message: 'Request body is not valid JSON' } });
  });

  it('answers 415 for a body that is not JSON, and changes nothing', async () => {
    const before = await countIntegrations();
    const res = await request(t.app)
      .post('/api/v1/admin/integrations')
      .set('Authorization', `Bearer ${adminKey}`)
      .set('Content-Type', 'text/plain')
      .send('name=Acme')
      .expect(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(await countIntegrations()).toBe(before);
  });

  it('answers 413 for a body over 1 MiB, and changes nothing', async () => {
    const { token } = await createIntegration(t.app);
    const before = await t.repos.db('webhooks').count({ n: '*' });
    const res = await request(t.app)
      .post('/api/v1/integration/webhook-events')
      .set('Authorization', `Bearer ${token}`)
      .send({ url: 'https://a.example.com/', events: ['sync.completed'], description: 'x'.repeat(1024 * 1024) })
      .expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await t.repos.db('webhooks').count({ n: '*' })).toEqual(before);
  });

  it('accepts a body just under 1 MiB as far as size goes', async () => {
    const res = await asAdmin(t.app).post('/api/v1/admin/integrations', { name: 'x', pad: 'y'.repeat(1024 * 1000) });
    expect(res.status).toBe(400); // unknown field, but not too large
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: '' })]);
  });
});

describe('odd input', () => {
  it('answers 400 for text PostgreSQL cannot store (NUL), and changes nothing', async () => {
    const before = await countIntegrations();
    const res = await asAdmin(t.app).post('/api/v1/admin/integrations', { name: 'a\u0000b' }).expect(400);
    expect(res.body.error.details).toEqual([{ path: 'name', message: expect.stringContaining('NUL') }]);
    expect(await countIntegrations()).toBe(before);
  });

  it.each(['%00', 'wh_%00', 'wh_a%2Fb', `wh_${'a'.repeat(500)}`, 'int_abc'])('answers 404 for the malformed id %s without a lookup', async (id) => {
    const { token } = await createIntegration(t.app);
    const res = await request(t.app).get(`/api/v1/integration/webhook-events/${id}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers 400 for a path that is not valid percent-encoding', async () => {
    const res = await request(t.app).get('/api/v1/admin/integrations/%E0%A4%A/tokens').set('Authorization', `Bearer ${adminKey}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'validation_failed', message: 'The request path is not valid percent-encoding' } });
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/nothing-here'],
    ['GET', '/api/v1/nothing-here'],
    ['PUT', '/api/v1/admin/integrations'],
  ])('%s %s answers 404 in the JSON error shape', async (method, path) => {
    const res = await request(t.app)[method.toLowerCase() as 'get' | 'put'](path).set('Authorization', `Bearer ${adminKey}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('failures', () => {
  it('answers 500 without leaking the error or a stack trace', async () => {
    const repos = createRepositories(t.repos.db, createSecretBox(t.config.secretEncryptionKey!));
    repos.integrations.list = async () => {
      throw new Error('secret internal detail at /srv/app/file.ts:12');
    };
    const app = buildApp({ config: t.config, repos, logger: createLogger('silent'), temporal: t.temporal });
    const res = await request(app).get('/api/v1/admin/integrations').set('Authorization', `Bearer ${adminKey}`).expect(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
    expect(res.text).not.toMatch(/secret|\.ts|at /);
  });

  it('answers 503 unavailable when the database cannot be reached', async () => {
    const deadDb = createDb({ databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none' });
    try {
      const app = buildApp({ config: t.config, repos: createRepositories(deadDb, createSecretBox(t.config.secretEncryptionKey!)), logger: createLogger('silent'), temporal: t.temporal });
      const res = await request(app).get('/api/v1/admin/integrations').set('Authorization', `Bearer ${adminKey}`).expect(503);
      expect(res.body.error.code).toBe('unavailable');
      const auth = await request(app).get('/api/v1/integration/webhook-events').set('Authorization', 'Bearer eudr_live_0123456789abcdefghijABCDEFGHIJ0123456789');
      expect(auth.status).toBe(503);
    } finally {
      await deadDb.destroy();
    }
  });
});
