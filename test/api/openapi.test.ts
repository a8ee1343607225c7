import type { Express } from 'express';
import request from 'supertest';
import type { z } from 'zod';
import { eventTypeListSchema, integrationCreatedSchema, tokenCreatedSchema, webhookWithSecretSchema, deliveryPageSchema } from '../../src/api/schemas';
import { integrationSchema, webhookSchema } from '../../src/api/serializers';
import { asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { servers?: { url: string }[] }>>;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/**
 * The validator is ESM-only and swc compiles `import()` to `require()` here; a Function body
 * keeps a real dynamic import, which jest runs as ESM (--experimental-vm-modules).
 */
type ValidatorModule = typeof import('@seriousme/openapi-schema-validator', { with: { 'resolution-mode': 'import' } });
const importEsm = <T>(name: string) => new Function('name', 'return import(name)')(name) as Promise<T>;

/** Every "METHOD /path" an Express 5 router serves, found by walking its stack (`:param` as `{param}`). */
function servedRoutes(stack: Layer[]): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (typeof layer.rawPath !== 'string') throw new Error(`Cannot list a route with a non-string path: ${String(layer.rawPath)}`);
      const path = layer.rawPath === '/' ? prefix : prefix + layer.rawPath;
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, path);
      }
    }
  };
  walk(stack, '');
  return found;
}

/** Every "METHOD /path" of the document, with its server's path (`/api/v1`, or `/` for the probes). */
const documentedRoutes = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${(op.servers ?? doc.servers)[0].url.replace(/\/$/, '')}${path}`),
  );

/** The body has the schema's fields and no others (nested objects are checked by type only). */
function expectShape(schema: z.ZodObject, body: unknown) {
  const result = schema.strict().safeParse(body);
  expect(result.error?.issues ?? []).toEqual([]);
}

let t: TestApp;
let app: Express;
let doc: Document;
beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  doc = (await request(app).get('/api/v1/openapi.json').expect(200).expect('Content-Type', /json/)).body;
});
afterAll(() => t.close());

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await importEsm<ValidatorModule>('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // ...and it does reject a broken one.
    expect((await new Validator().validate({ ...doc, paths: { 'no-slash': {} } } as never)).valid).toBe(false);
  });

  it('documents every route the app serves, and only those', () => {
    const appStack = (t.app as unknown as { router: { stack: Layer[] } }).router.stack;
    // Pages and their assets (the Platform UI, the docs page's stylesheet) are not API routes
    // ('GET ' is the UI's '/' as the walk joins mount paths).
    const pages = ['GET ', 'GET /', 'GET /ui/app.js', 'GET /ui/styles.css', 'GET /docs/style.css'];
    const served = servedRoutes(appStack).filter((route) => !pages.includes(route));
    expect(served.length).toBeGreaterThan(20);
    expect([...new Set(served)].sort()).toEqual(documentedRoutes(doc).sort());
  });

  it('serves the admin view of every integration route', () => {
    const integrationPaths = Object.keys(doc.paths).filter((path) => path.startsWith('/integration/'));
    for (const path of integrationPaths) {
      const adminPath = path.replace('/integration/', '/admin/integrations/{integrationId}/');
      expect(Object.keys(doc.paths[adminPath] ?? {})).toEqual(Object.keys(doc.paths[path]));
    }
  });

  it('needs no credentials', async () => {
    await request(app).get('/api/v1/openapi.json').expect(200);
  });
});

describe('rate limits', () => {
  it('documents 429 with Retry-After and the RateLimit headers on every authenticated operation', () => {
    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item)) as Array<{ security?: unknown[]; responses: Record<string, { headers?: Record<string, unknown> }> }>;
    const secured = ops.filter((op) => (op.security ?? []).length > 0);
    expect(secured.length).toBeGreaterThan(20);
    for (const op of secured) {
      expect(Object.keys(op.responses[429]?.headers ?? {}).sort()).toEqual(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After']);
    }
  });
});

describe('GET /docs', () => {
  it('is a readable HTML page naming every path, with no external resources', async () => {
    const res = await request(app).get('/docs').expect(200).expect('Content-Type', /html/);
    for (const route of documentedRoutes(doc)) expect(res.text).toContain(route.split(' ')[1]);
    expect(res.text).not.toMatch(/<script|(src|href)="(https?:)?\/\//);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    await request(app).get('/docs/style.css').expect(200).expect('Content-Type', /css/);
  });
});

describe('response schemas', () => {
  it('match what the routes answer', async () => {
    const admin = asAdmin(app);
    const created = await admin.post('/api/v1/admin/integrations', { name: 'Docs' }).expect(201);
    expectShape(integrationCreatedSchema, created.body);
    const list = await admin.get('/api/v1/admin/integrations').expect(200);
    list.body.data.forEach((item: unknown) => expectShape(integrationSchema, item));
    expectShape(tokenCreatedSchema, (await admin.post(`/api/v1/admin/integrations/${created.body.id}/tokens`).expect(201)).body);

    const { token } = await createIntegration(t.app);
    const api = withBearer(app, token);
    const webhook = await api.post('/api/v1/integration/webhook-events', { url: 'https://a.example.com/', events: ['sync.completed'] }).expect(201);
    expectShape(webhookWithSecretSchema, webhook.body);
    expectShape(webhookSchema, (await api.get(`/api/v1/integration/webhook-events/${webhook.body.id}`).expect(200)).body);
    expectShape(deliveryPageSchema, (await api.get(`/api/v1/integration/webhook-events/${webhook.body.id}/deliveries`).expect(200)).body);
    expectShape(eventTypeListSchema, (await api.get('/api/v1/integration/event-types').expect(200)).body);
  });
});
