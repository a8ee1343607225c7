import request from 'supertest';
import { allowLocalReceivers, asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true });
});
afterAll(() => t.close());

const validWebhook = {
  url: 'https://erp.example.com/webhooks/eudr',
  events: ['supplier.created', 'supplier.updated', 'sync.completed'],
};

async function newIntegrator() {
  const integration = await createIntegration(t.app);
  return { ...integration, api: withBearer(t.app, integration.token) };
}

/** A snapshot of every webhook row, to prove a rejected request changed nothing. */
const webhookRows = () => t.repos.db('webhooks').orderBy('id');

describe('POST /integration/webhook-events', () => {
  it('registers a webhook exactly as the product page shows, returning the secret once', async () => {
    const { api } = await newIntegrator();
    const res = await api.post('/api/v1/integration/webhook-events', validWebhook).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^wh_[0-9A-Za-z]{20,}$/),
      url: validWebhook.url,
      events: validWebhook.events,
      description: null,
      active: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      previousSecretExpiresAt: null,
      consecutiveFailures: 0,
      disabledReason: null,
      disabledAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.any(String),
    });
    expect(Buffer.from(res.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);

    const fetched = await api.get(`/api/v1/integration/webhook-events/${res.body.id}`).expect(200);
    expect(fetched.body).not.toHaveProperty('secret');
    const listed = await api.get('/api/v1/integration/webhook-events').expect(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).not.toHaveProperty('secret');
    expect(listed.body.data[0].id).toBe(res.body.id);
  });

  it('keeps a description', async () => {
    const { api } = await newIntegrator();
    const res = await api
      .post('/api/v1/integration/webhook-events', { ...validWebhook, description: 'Production ERP' })
      .expect(201);
    expect(res.body.description).toBe('Production ERP');
  });

  it.each([
    ['a missing url', { events: ['supplier.created'] }, 'url'],
    ['a relative url', { ...validWebhook, url: '/webhooks' }, 'url'],
    ['plain http', { ...validWebhook, url: 'http://erp.example.com/hook' }, 'url'],
    ['another scheme', { ...validWebhook, url: 'ftp://erp.example.com/hook' }, 'url'],
    ['credentials in the url', { ...validWebhook, url: 'https://user:pw@erp.example.com/hook' }, 'url'],
    ['a url over 2048 characters', { ...validWebhook, url: `https://erp.example.com/${'a'.repeat(2030)}` }, 'url'],
    ['localhost', { ...validWebhook, url: 'https://localhost/hook' }, 'url'],
    ['a *.localhost name', { ...validWebhook, url: 'https://api.localhost:8443/hook' }, 'url'],
    ['loopback IPv4', { ...validWebhook, url: 'https://127.0.0.1/hook' }, 'url'],
    ['loopback in decimal form', { ...validWebhook, url: 'https://2130706433/hook' }, 'url'],
    ['a private IPv4', { ...validWebhook, url: 'https://10.1.2.3/hook' }, 'url'],
    ['the metadata address', { ...validWebhook, url: 'https://169.254.169.254/latest' }, 'url'],
    ['loopback IPv6', { ...validWebhook, url: 'https://[::1]/hook' }, 'url'],
    ['IPv4-mapped private IPv6', { ...validWebhook, url: 'https://[::ffff:10.0.0.1]/hook' }, 'url'],
    ['unique-local IPv6', { ...validWebhook, url: 'https://[fd00::1]/hook' }, 'url'],
    ['no events', { url: validWebhook.url }, 'events'],
    ['an empty event list', { ...validWebhook, events: [] }, 'events'],
    ['an unknown event', { ...validWebhook, events: ['supplier.deleted'] }, 'events.0'],
    ['a repeated event', { ...validWebhook, events: ['supplier.created', 'supplier.created'] }, 'events.1'],
    ['events that are not a list', { ...validWebhook, events: 'supplier.created' }, 'events'],
    ['a non-string description', { ...validWebhook, description: 5 }, 'description'],
    ['an unknown field', { ...validWebhook, secret: 'whsec_mine' }, ''],
  ])('rejects %s with 400 and changes nothing', async (_label, body, path) => {
    const { api } = await newIntegrator();
    const before = await webhookRows();
    const res = await api.post('/api/v1/integration/webhook-events', body).expect(400);
    expect(res.body.error).toEqual({
      code: 'validation_failed',
      message: expect.any(String),
      details: expect.arrayContaining([{ path, message: expect.any(String) }]),
    });
    expect(await webhookRows()).toEqual(before);
  });
});

describe('URL rules follow the settings', () => {
  let relaxed: TestApp;
  beforeAll(async () => {
    relaxed = await createTestApp({ env: allowLocalReceivers });
  });
  afterAll(() => relaxed.close());

  it('accepts http and private addresses when allowed', async () => {
    const { token } = await createIntegration(relaxed.app);
    const api = withBearer(relaxed.app, token);
    for (const url of ['http://127.0.0.1:4000/hook', 'https://localhost/hook', 'http://[::1]:8080/x', 'https://10.0.0.5/h']) {
      const res = await api.post('/api/v1/integration/webhook-events', { url, events: ['sync.completed'] });
      expect([url, res.status]).toEqual([url, 201]);
    }
  });

  it('still refuses other schemes and credentials', async () => {
    const { token } = await createIntegration(relaxed.app);
    const api = withBearer(relaxed.app, token);
    await api.post('/api/v1/integration/webhook-events', { url: 'ftp://x.example.com/', events: ['sync.completed'] }).expect(400);
    await api.post('/api/v1/integration/webhook-events', { url: 'http://a:b@x.example.com/', events: ['sync.completed'] }).expect(400);
  });
});

describe('GET, PATCH, DELETE /integration/webhook-events/:id', () => {
  it('updates url, events and description, keeping what is not sent', async () => {
    const { api } = await newIntegrator();
    const created = (await api.post('/api/v1/integration/webhook-events', validWebhook).expect(201)).body;
    const res = await api
      .patch(`/api/v1/integration/webhook-events/${created.id}`, {
        url: 'https://erp.example.com/v2/hook',
        events: ['sync.completed'],
        description: 'v2',
      })
      .expect(200);
    expect(res.body).toMatchObject({
      id: created.id,
      url: 'https://erp.example.com/v2/hook',
      events: ['sync.completed'],
      description: 'v2',
      active: true,
    });
    expect(res.body).not.toHaveProperty('secret');
    const cleared = await api.patch(`/api/v1/integration/webhook-events/${created.id}`, { description: null }).expect(200);
    expect(cleared.body).toMatchObject({ description: null, url: 'https://erp.example.com/v2/hook' });
    const fetched = await api.get(`/api/v1/integration/webhook-events/${created.id}`).expect(200);
    expect(fetched.body).toEqual(cleared.body);
  });

  it('disables by hand and re-enables, resetting the failure count', async () => {
    const { api } = await newIntegrator();
    const created = (await api.post('/api/v1/integration/webhook-events', validWebhook).expect(201)).body;
    const off = await api.patch(`/api/v1/integration/webhook-events/${created.id}`, { active: false }).expect(200);
    expect(off.body).toMatchObject({ active: false, disabledReason: 'manual', disabledAt: expect.any(String) });

    await t.repos.db('webhooks').where({ id: created.id }).update({ consecutive_failures: 10, disabled_reason: 'consecutive_failures' });
    const on = await api.patch(`/api/v1/integration/webhook-events/${created.id}`, { active: true }).expect(200);
    expect(on.body).toMatchObject({ active: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 });
  });

  it.each([
    ['an empty body', {}, ''],
    ['a bad url', { url: 'http://insecure.example.com' }, 'url'],
    ['unknown events', { events: ['nope'] }, 'events.0'],
    ['a non-boolean active', { active: 'yes' }, 'active'],
    ['an unknown field', { secret: 'x' }, ''],
  ])('rejects %s with 400 and changes nothing', async (_label, body, path) => {
    const { api } = await newIntegrator();
    const created = (await api.post('/api/v1/integration/webhook-events', validWebhook).expect(201)).body;
    const before = await webhookRows();
    const res = await api.patch(`/api/v1/integration/webhook-events/${created.id}`, body).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await webhookRows()).toEqual(before);
  });

  it('deletes a webhook; afterwards it is gone everywhere', async () => {
    const { api } = await newIntegrator();
    const created = (await api.post('/api/v1/integration/webhook-events', validWebhook).expect(201)).body;
    await api.delete(`/api/v1/integration/webhook-events/${created.id}`).expect(204);
    await api.get(`/api/v1/integration/webhook-events/${created.id}`).expect(404);
    await api.patch(`/api/v1/integration/webhook-events/${created.id}`, { active: true }).expect(404);
    await api.delete(`/api/v1/integration/webhook-events/${created.id}`).expect(404);
    expect((await api.get('/api/v1/integration/webhook-events').expect(200)).body.data).toEqual([]);
  });

  it('answers 404 for an unknown id', async () => {
    const { api } = await newIntegrator();
    const res = await api.get('/api/v1/integration/webhook-events/wh_doesnotexist000000000000').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Webhook not found' } });
  });
});

describe('tenancy', () => {
  it("answers another integration's webhook exactly like a missing one, and changes nothing", async () => {
    const owner = await newIntegrator();
    const intruder = await newIntegrator();
    const created = (await owner.api.post('/api/v1/integration/webhook-events', validWebhook).expect(201)).body;
    const missing = await intruder.api.get('/api/v1/integration/webhook-events/wh_doesnotexist000000000000').expect(404);
    const before = await webhookRows();

    const get = await intruder.api.get(`/api/v1/integration/webhook-events/${created.id}`).expect(404);
    const patch = await intruder.api.patch(`/api/v1/integration/webhook-events/${created.id}`, { active: false }).expect(404);
    const del = await intruder.api.delete(`/api/v1/integration/webhook-events/${created.id}`).expect(404);
    for (const res of [get, patch, del]) expect(res.body).toEqual(missing.body);
    expect((await intruder.api.get('/api/v1/integration/webhook-events').expect(200)).body.data).toEqual([]);
    expect(await webhookRows()).toEqual(before);
    await owner.api.get(`/api/v1/integration/webhook-events/${created.id}`).expect(200);
  });
});

describe('admin view of one integration', () => {
  it('serves the same routes under /admin/integrations/:id with the admin key', async () => {
    const owner = await newIntegrator();
    const base = `/api/v1/admin/integrations/${owner.id}`;
    const created = (await asAdmin(t.app).post(`${base}/webhook-events`, validWebhook).expect(201)).body;
    expect(created.secret).toMatch(/^whsec_/);
    // The integrator sees what the admin created, and the other way round.
    await owner.api.get(`/api/v1/integration/webhook-events/${created.id}`).expect(200);
    const listed = (await asAdmin(t.app).get(`${base}/webhook-events`).expect(200)).body.data;
    expect(listed.map((w: { id: string }) => w.id)).toEqual([created.id]);
    await asAdmin(t.app).patch(`${base}/webhook-events/${created.id}`, { description: 'by admin' }).expect(200);
    expect((await asAdmin(t.app).get(`${base}/event-types`).expect(200)).body.data).toHaveLength(4);
    await asAdmin(t.app).delete(`${base}/webhook-events/${created.id}`).expect(204);
    await owner.api.get(`/api/v1/integration/webhook-events/${created.id}`).expect(404);
  });

  it("keeps integrations apart and answers 404 for a missing integration", async () => {
    const owner = await newIntegrator();
    const other = await newIntegrator();
    const created = (await owner.api.post('/api/v1/integration/webhook-events', validWebhook).expect(201)).body;
    await asAdmin(t.app).get(`/api/v1/admin/integrations/${other.id}/webhook-events/${created.id}`).expect(404);
    const res = await asAdmin(t.app).get('/api/v1/admin/integrations/int_doesnotexist000000000000/webhook-events').expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('needs the admin key, not an integration token', async () => {
    const owner = await newIntegrator();
    await owner.api.get(`/api/v1/admin/integrations/${owner.id}/webhook-events`).expect(401);
    await request(t.app).get(`/api/v1/admin/integrations/${owner.id}/webhook-events`).expect(401);
  });
});

describe('GET /integration/event-types', () => {
  it('lists the catalog with descriptions', async () => {
    const { api } = await newIntegrator();
    const res = await api.get('/api/v1/integration/event-types').expect(200);
    expect(res.body.data.map((e: { name: string; subscribable: boolean }) => [e.name, e.subscribable])).toEqual([
      ['supplier.created', true],
      ['supplier.updated', true],
      ['sync.completed', true],
      ['webhook.test', false],
    ]);
    for (const type of res.body.data) expect(type.description).toEqual(expect.any(String));
  });

  it('needs a token', async () => {
    await request(t.app).get('/api/v1/integration/event-types').expect(401);
  });
});
