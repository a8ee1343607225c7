import request from 'supertest';
import { buildApp } from '../../src/api/app';
import { createLogger } from '../../src/logger';
import { adminKey, asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const countRows = async (table: string) => Number((await t.repos.db(table).count({ n: '*' }))[0].n);

describe('admin authentication', () => {
  it.each([
    ['no header', undefined],
    ['a wrong key', 'Bearer not-the-admin-key-at-all'],
    ['a non-Bearer scheme', `Basic ${adminKey}`],
  ])('answers 401 with WWW-Authenticate for %s', async (_label, header) => {
    const req = request(t.app).get('/api/v1/admin/integrations');
    if (header) req.set('Authorization', header);
    const res = await req.expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('does not accept an integration token on admin routes', async () => {
    const { token } = await createIntegration(t.app);
    await withBearer(t.app, token).get('/api/v1/admin/integrations').expect(401);
  });

  it('rejects every admin route when no admin key is configured', async () => {
    const app = buildApp({
      config: { ...t.config, adminApiKey: undefined },
      repos: t.repos,
      logger: createLogger('silent'),
      temporal: t.temporal,
    });
    await request(app).get('/api/v1/admin/integrations').set('Authorization', 'Bearer anything-at-all-here').expect(401);
    await request(app).get('/api/v1/admin/integrations').set('Authorization', 'Bearer ').expect(401);
  });

  it('checks credentials before reading the body', async () => {
    const res = await request(t.app).post('/api/v1/admin/integrations').set('Content-Type', 'application/json').send('{bad');
    expect(res.status).toBe(401);
  });
});

describe('POST /admin/integrations', () => {
  it('creates an integration and returns its first token once', async () => {
    const res = await asAdmin(t.app).post('/api/v1/admin/integrations', { name: '  Acme ERP ' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^int_[0-9A-Za-z]{20,}$/),
      name: 'Acme ERP',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      token: expect.stringMatching(/^eudr_live_[0-9A-Za-z]{32,}$/),
      tokenId: expect.stringMatching(/^tok_[0-9A-Za-z]{20,}$/),
    });
    // The token works, and it is stored only as a hash.
    await withBearer(t.app, res.body.token).get('/api/v1/integration/webhook-events').expect(200);
    const stored = await t.repos.db('api_tokens').where({ id: res.body.tokenId }).first();
    expect(JSON.stringify(stored)).not.toContain(res.body.token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 'Acme', extra: true }, ''],
  ])('rejects %j with 400 and changes nothing', async (body, path) => {
    const before = await countRows('integrations');
    const res = await asAdmin(t.app).post('/api/v1/admin/integrations', body).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await countRows('integrations')).toBe(before);
  });

  it('rejects a body that is not an object', async () => {
    const res = await asAdmin(t.app).post('/api/v1/admin/integrations', ['Acme']).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('GET /admin/integrations', () => {
  it('lists integrations without tokens', async () => {
    const a = await createIntegration(t.app, 'First');
    const b = await createIntegration(t.app, 'Second');
    const res = await asAdmin(t.app).get('/api/v1/admin/integrations').expect(200);
    const ids = res.body.data.map((i: { id: string }) => i.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    for (const integration of res.body.data) {
      expect(Object.keys(integration).sort()).toEqual(['createdAt', 'id', 'name']);
    }
  });
});

describe('tokens', () => {
  it('issues another token; both work', async () => {
    const integration = await createIntegration(t.app);
    const res = await asAdmin(t.app).post(`/api/v1/admin/integrations/${integration.id}/tokens`).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^tok_/),
      token: expect.stringMatching(/^eudr_live_[0-9A-Za-z]{32,}$/),
      createdAt: expect.any(String),
    });
    expect(res.body.token).not.toBe(integration.token);
    await withBearer(t.app, res.body.token).get('/api/v1/integration/webhook-events').expect(200);
    await withBearer(t.app, integration.token).get('/api/v1/integration/webhook-events').expect(200);
  });

  it('answers 404 for tokens of a missing integration', async () => {
    const res = await asAdmin(t.app).post('/api/v1/admin/integrations/int_doesnotexist0000000000/tokens').expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('revokes a token at once, leaving the others working', async () => {
    const integration = await createIntegration(t.app);
    const second = (await asAdmin(t.app).post(`/api/v1/admin/integrations/${integration.id}/tokens`).expect(201)).body;
    await withBearer(t.app, integration.token).get('/api/v1/integration/webhook-events').expect(200);

    await asAdmin(t.app).delete(`/api/v1/admin/integrations/${integration.id}/tokens/${integration.tokenId}`).expect(204);

    const res = await withBearer(t.app, integration.token).get('/api/v1/integration/webhook-events').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    await withBearer(t.app, second.token).get('/api/v1/integration/webhook-events').expect(200);
    // Revoking again, or through another integration, finds nothing.
    await asAdmin(t.app).delete(`/api/v1/admin/integrations/${integration.id}/tokens/${integration.tokenId}`).expect(404);
    const other = await createIntegration(t.app);
    await asAdmin(t.app).delete(`/api/v1/admin/integrations/${other.id}/tokens/${second.id}`).expect(404);
    await withBearer(t.app, second.token).get('/api/v1/integration/webhook-events').expect(200);
  });
});

describe('integration authentication', () => {
  it.each([
    ['no token', undefined],
    ['a malformed token', 'Bearer eudr_live_short'],
    ['an unknown token', 'Bearer eudr_live_0123456789abcdefghijABCDEFGHIJ0123456789'],
    ['the admin key', `Bearer ${adminKey}`],
  ])('answers 401 for %s', async (_label, header) => {
    const req = request(t.app).get('/api/v1/integration/webhook-events');
    if (header) req.set('Authorization', header);
    const res = await req.expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.error.code).toBe('unauthorized');
  });
});
