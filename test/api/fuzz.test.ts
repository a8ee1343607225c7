import fc from 'fast-check';
import request from 'supertest';
import { adminOperations, integrationOperations, type Operation } from '../../src/api/openapi/operations';
import { errorSchema } from '../../src/api/schemas';
import { adminKey, allowLocalReceivers, asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { anyValue, fromZod, oddStrings, prototypeKeys, withKey } from '../helpers/arbitraries';

/**
 * Property-based fuzzing of every route, driven by the routes' own zod schemas (the operation
 * tables the OpenAPI document is built from): wrong types, missing and extra fields, odd and huge
 * strings, prototype keys, deep nesting, bad ids and content types. Whatever comes in, the answer
 * is never a 5xx, every error has the JSON error shape, and a refused request changes nothing.
 */

const runs = 1100;

let t: TestApp;
let receiver: Receiver;
/** Ids that exist, so that requests get past the lookups to the body checks. */
const real: Record<string, string> = {};
let token: string;

beforeAll(async () => {
  // A worker, so that what needs one (re-enabling a webhook) works; accepted requests are followed
  // by a wait until every delivery they started has ended, so nothing changes behind the next one.
  // One quick retry and a short attempt limit: a webhook the fuzzing pointed elsewhere fails fast.
  t = await createTestApp({ worker: true, env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '0', WEBHOOK_ATTEMPT_TIMEOUT_MS: '500' } });
  receiver = await startReceiver();
  const integration = await createIntegration(t.app, 'Fuzz Co');
  token = integration.token;
  const webhook = (await withBearer(t.app, token).post('/api/v1/integration/webhook-events', { url: receiver.url, events: ['supplier.created'] }).expect(201)).body;
  const event = (await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'supplier.created', data: { externalId: 'a', internalId: 'b' } }).expect(202)).body;
  await settled();
  const [delivery] = await t.repos.deliveries.listForEvent(integration.id, event.id);
  Object.assign(real, { integrationId: integration.id, tokenId: integration.tokenId, id: webhook.id, deliveryId: delivery.id });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/**
 * Every delivery started and ended (accepted publications start theirs just after answering), and
 * every failed one handled by its webhook's health workflow. Polled often: the run waits here a lot.
 */
async function settled(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [{ n: deliveries }] = await t.repos.db('deliveries').where({ start_pending: true }).orWhereIn('status', ['pending', 'retrying']).count({ n: '*' });
    const [{ n: webhooks }] = await t.repos.db('webhooks').whereRaw('failure_reports <> failure_reports_handled').count({ n: '*' });
    if (Number(deliveries) + Number(webhooks) === 0) return;
    if (Date.now() > deadline) throw new Error('deliveries did not settle within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const tables = ['integrations', 'api_tokens', 'webhooks', 'events', 'deliveries', 'delivery_attempts'];

/** Every table's row count and a digest of all its rows, in one query. */
async function snapshot(): Promise<unknown> {
  const sql = tables.map((name) => `SELECT '${name}' AS name, count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS rows FROM ${name} x`).join(' UNION ALL ');
  return (await t.repos.db.raw(sql)).rows;
}

interface Route {
  op: Operation;
  /** Where the operation's path is mounted; `{integrationId}` for the admin view. */
  mount: string;
  credential: 'admin' | 'token';
}
const routes: Route[] = [
  ...adminOperations.map((op) => ({ op, mount: '/api/v1', credential: 'admin' as const })),
  ...integrationOperations.map((op) => ({ op, mount: '/api/v1/integration', credential: 'token' as const })),
  ...integrationOperations.map((op) => ({ op, mount: '/api/v1/admin/integrations/{integrationId}', credential: 'admin' as const })),
];
const routeName = ({ op, mount }: Route) => `${op.method.toUpperCase()} ${mount}${op.path}`;

/** Every UTF-8 byte percent-encoded (lone surrogates too, which encodeURIComponent refuses). */
const percentEncode = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Path segments that are no id of ours: raw (possibly malformed percent-encoding) or encoded text. */
const badIds = fc.oneof(
  fc.constantFrom('%00', '%E0%A4%A', '%', '..%2F..%2Fetc', '__proto__', 'constructor', `wh_${'a'.repeat(3000)}`, '%F0%9F%98%80', 'wh_missing0000000000000000', 'int_', 'null', '%20'),
  fc.oneof(oddStrings.filter((s) => s.length < 2000), fc.string({ minLength: 1 })).map(percentEncode),
);

/** The route's own body schema, drawn and then (mostly) broken in one way. */
function bodyFor(op: Operation): fc.Arbitrary<unknown> {
  if (!op.body) return fc.oneof(fc.constant(undefined), anyValue);
  return fromZod(op.body.schema).chain((sample) => {
    const object = typeof sample === 'object' && sample !== null && !Array.isArray(sample) ? (sample as Record<string, unknown>) : {};
    const keys = Object.keys(object);
    const ways: fc.Arbitrary<unknown>[] = [
      fc.constant(sample),
      fc.tuple(fc.oneof(prototypeKeys, fc.string()), anyValue).map(([key, value]) => withKey(object, key, value)),
      anyValue,
    ];
    if (keys.length > 0) {
      ways.push(fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(object).filter(([k]) => k !== key))));
      ways.push(fc.tuple(fc.constantFrom(...keys), anyValue).map(([key, value]) => withKey(object, key, value)));
    }
    return fc.oneof(...ways);
  });
}

const brokenJson = fc.constantFrom('{', '{"name": ', '\uFEFF{}', '{"a":1,}', "{'a': 1}", 'undefined', 'NaN', '{"__proto__": {"polluted": true}}', '['.repeat(5000), '"\\ud800"', '{"a": "\\u0000"}');
const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
);

/** A query string: the route's own query schema broken like a body, or junk for routes that take none. */
function queryFor(op: Operation): fc.Arbitrary<string> {
  const values = op.query ? bodyFor({ ...op, body: { schema: op.query, required: false } }) : fc.dictionary(fc.oneof(prototypeKeys, fc.string()), oddStrings, { maxKeys: 3 });
  return fc.oneof(
    fc.constant(''),
    values.map((value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value).map(([key, v]) => `${percentEncode(key)}=${percentEncode(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}`).join('&')
        : `q=${percentEncode(JSON.stringify(value) ?? '')}`,
    ),
    fc.constantFrom('status[]=failed&status[]=delivered', 'limit=1e400', 'limit=-1', 'cursor=%00', '__proto__[x]=1', 'a=%E0%A4%A'),
  );
}

/** One request: a route, its path ids, method, credential, content type, body and query. */
const requests = fc.nat({ max: routes.length - 1 }).chain((index) => {
  const route = routes[index];
  const params = [...`${route.mount}${route.op.path}`.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  // Never a real id where it would delete the seeded rows: later requests need them.
  const destructive = route.op.method === 'delete';
  return fc.record({
    route: fc.constant(index),
    ids: fc.tuple(...params.map((name) => (destructive ? badIds : fc.oneof(fc.constant(real[name]), badIds)))),
    method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.op.method) }, { weight: 1, arbitrary: fc.constant('put' as const) }),
    credential: fc.oneof({ weight: 9, arbitrary: fc.constant(route.credential) }, { weight: 1, arbitrary: fc.constantFrom('none' as const, 'garbage' as const) }),
    contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentTypes }),
    body: fc.oneof({ weight: 5, arbitrary: bodyFor(route.op).map((value) => (value === undefined ? undefined : JSON.stringify(value))) }, { weight: 1, arbitrary: brokenJson }),
    query: queryFor(route.op),
  });
  // Node itself answers a head over 16 KiB (431, before the app sees it): stay well under.
}).filter((r) => r.query.length + r.ids.join('').length < 8000);
type FuzzRequest = typeof requests extends fc.Arbitrary<infer R> ? R : never;

const tried = new Map<string, number>();
let waited = 0;
/** The database as the last request left it; unknown after an accepted change. */
let before: unknown;

async function send(r: FuzzRequest) {
  const route = routes[r.route];
  tried.set(routeName(route), (tried.get(routeName(route)) ?? 0) + 1);
  let i = 0;
  const path = `${route.mount}${route.op.path}`.replace(/\{(\w+)\}/g, () => r.ids[i++]) + (r.query ? `?${r.query}` : '');
  let req = request(t.app)[r.method](path);
  if (r.credential !== 'none') req = req.set('Authorization', `Bearer ${r.credential === 'admin' ? adminKey : r.credential === 'token' ? token : 'eudr_live_garbage'}`);
  if (r.body !== undefined && r.method !== 'get') req = req.set('Content-Type', r.contentType).send(r.body);
  return req;
}

/** Cases tried on every run besides the generated ones: text PostgreSQL refuses, prototype keys. */
function knownNasty(): [FuzzRequest][] {
  const at = (operationId: string, mount: string) => routes.findIndex((r) => r.op.operationId === operationId && r.mount === mount);
  const base = { ids: [] as string[], credential: 'admin' as const, contentType: 'application/json', query: '' };
  const webhook = { ...base, route: at('createWebhook', '/api/v1/integration'), method: 'post' as const, credential: 'token' as const };
  return [
    { ...base, route: at('createIntegration', '/api/v1'), method: 'post', body: JSON.stringify({ name: 'a\u0000b' }) },
    { ...base, route: at('createIntegration', '/api/v1'), method: 'post', body: '{"name": "x", "__proto__": {"admin": true}}' },
    { ...webhook, body: JSON.stringify({ url: 'https://hooks.example.com/\u0000', events: ['sync.completed'] }) },
    { ...webhook, body: JSON.stringify({ url: 'https://hooks.example.com/a', events: ['sync.completed'], description: '\u0000' }) },
    { ...webhook, body: '{"url": "https://hooks.example.com/a", "events": ["sync.completed"], "constructor": {"prototype": {"x": 1}}}' },
  ].map((r) => [r as FuzzRequest]);
}

it(`answers ${runs} generated requests across every route: never a 5xx, errors in the JSON shape, refusals change nothing`, async () => {
  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      // The state before this request is the one after the last (nothing runs in between): one snapshot a request.
      before ??= await snapshot();
      const res = await send(r);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(errorSchema.strict().safeParse(res.body).error?.issues ?? []).toEqual([]);
        expect(await snapshot()).toEqual(before);
      } else if (r.method !== 'get') {
        const started = Date.now();
        await settled();
        waited += Date.now() - started;
        before = undefined;
      }
    }),
    { numRuns: runs, examples: knownNasty() },
  );
  const total = [...tried.values()].reduce((sum, n) => sum + n, 0);
  console.log(`Fuzzing: ${total} generated requests across ${tried.size} routes (${[...tried.values()].sort((a, b) => a - b)[0]} or more each); ${waited} ms waiting for accepted ones to settle`);
  expect(total).toBeGreaterThanOrEqual(1000);
  expect([...tried.keys()].sort()).toEqual(routes.map(routeName).sort());
}, 300_000);
