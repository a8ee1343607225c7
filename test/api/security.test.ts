import type { Express } from 'express';
import request from 'supertest';
import { adminKey, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { directivesOf } from '../helpers/csp';

let t: TestApp;
let open: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  open = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' } });
});
afterAll(async () => {
  await open?.close();
  await t?.close();
});

const pages = ['/', '/docs'];
const everything = [...pages, '/ui/app.js', '/ui/styles.css', '/docs/style.css', '/api/v1/openapi.json', '/healthz', '/metrics', '/api/v1/admin/integrations', '/nothing-here'];

describe('security headers', () => {
  it.each(everything)('%s carries X-Content-Type-Options: nosniff and refuses framing', async (path) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('nosniff on authenticated answers and errors too', async () => {
    for (const res of [
      await withBearer(t.app, adminKey).get('/api/v1/admin/integrations'),
      await withBearer(t.app, adminKey).post('/api/v1/admin/integrations', { nope: 1 }),
    ]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it.each(pages)('%s has a Content-Security-Policy with no inline script and frame-ancestors none', async (path) => {
    const csp = directivesOf((await request(t.app).get(path).expect(200)).headers['content-security-policy']);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    const scripts = csp['script-src'] ?? csp['default-src'];
    expect(scripts.every((source) => source === "'self'" || source === "'none'")).toBe(true);
    expect(Object.values(csp).flat().filter((source) => /unsafe|\*|data:|http/.test(source))).toEqual([]);
  });

  it('gives JSON answers a policy that allows nothing', async () => {
    const csp = directivesOf((await request(t.app).get('/api/v1/admin/integrations')).headers['content-security-policy']);
    expect(csp).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
  });
});

const preflight = (app: Express, origin: string) =>
  request(app)
    .options('/api/v1/integration/webhook-events')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization, content-type');

describe('CORS', () => {
  it('is closed by default: no Access-Control-Allow-Origin for any origin, preflight included', async () => {
    for (const origin of ['https://app.example.com', 'https://evil.example', 'null']) {
      const get = await withBearer(t.app, adminKey).get('/api/v1/admin/integrations').set('Origin', origin);
      expect(get.status).toBe(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await preflight(t.app, origin);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.headers['access-control-allow-methods']).toBeUndefined();
    }
  });

  it('opens for exactly the listed origins, with preflight and the rate-limit headers exposed', async () => {
    const pre = await preflight(open.app, 'https://app.example.com');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(pre.headers['access-control-allow-methods']).toBe('GET,POST,PATCH,DELETE');
    expect(pre.headers['access-control-allow-headers']).toBe('Authorization,Content-Type');
    expect(pre.headers.vary).toMatch(/Origin/);

    const get = await withBearer(open.app, adminKey).get('/api/v1/admin/integrations').set('Origin', 'http://localhost:5173').expect(200);
    expect(get.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(get.headers['access-control-expose-headers']).toBe('RateLimit-Limit,RateLimit-Remaining,RateLimit-Reset,Retry-After');
    expect(get.headers['access-control-allow-credentials']).toBeUndefined();

    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com']) {
      expect((await preflight(open.app, origin)).headers['access-control-allow-origin']).toBeUndefined();
      const other = await withBearer(open.app, adminKey).get('/api/v1/admin/integrations').set('Origin', origin);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('leaves the UI and probes alone (same origin)', async () => {
    const res = await request(open.app).get('/healthz').set('Origin', 'https://app.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the admin key', () => {
  it.each([
    ['a prefix of it', adminKey.slice(0, -1)],
    ['it and more', `${adminKey}x`],
    ['one character off', `${adminKey.slice(0, -1)}X`],
    ['another case', adminKey.toUpperCase()],
  ])('is refused when given %s', async (_what, key) => {
    const res = await withBearer(t.app, key).get('/api/v1/admin/integrations');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});
