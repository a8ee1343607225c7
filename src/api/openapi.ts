import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { createIntegrationBody } from './integrations';
import { rotateSecretBody, webhookBodies } from './webhooks';
import { listQuery, recoverBody, testBody } from './deliveries';
import { publishEventBody } from './events';
import { deliverySchema, integrationSchema, webhookSchema } from './serializers';
import * as s from './schemas';

// The OpenAPI 3.1 document of the REST API, built from the zod schemas the routes parse with
// and the ones the serializers' answers are typed with; served with a readable page at /docs.

type Method = 'get' | 'post' | 'patch' | 'delete';

interface Operation {
  method: Method;
  /** Express-style path relative to the mount, with `{param}` for parameters. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean };
  ok: { status: number; description: string; schema?: z.ZodType };
  /** Answers 409 when the webhook is disabled. */
  conflict?: boolean;
  /** Answers 404 for something named in the body (besides path parameters). */
  notFound?: boolean;
}

const pathParams: Record<string, z.ZodString> = {
  integrationId: z.string().meta({ description: 'Integration id (`int_...`)', example: 'int_4hPq0cTqTqgkYf0wQhM8n2Xa' }),
  tokenId: z.string().meta({ description: 'API token id (`tok_...`)' }),
  id: z.string().meta({ description: 'Webhook id (`wh_...`)', example: 'wh_8Lx2mV0QwYk3ZfR7TgNc1Hds' }),
  deliveryId: z.string().meta({ description: 'Delivery id (`dlv_...`)', example: 'dlv_2bN7yQ4sKp9XwL0aZc5TfGmE' }),
};

const errorDescriptions: Record<number, string> = {
  400: 'validation_failed: the input is invalid (or the body is not valid JSON); `details` lists every problem',
  401: 'unauthorized: missing or bad credentials (with `WWW-Authenticate: Bearer`)',
  404: 'not_found: no such resource, or it belongs to another integration',
  409: 'conflict: the webhook is disabled; re-enable it (`PATCH {"active": true}`) first',
  413: 'payload_too_large: the body is over 1 MiB',
  415: 'unsupported_media_type: the body is not UTF-8 JSON',
  503: 'unavailable: the database or Temporal is unreachable; try again shortly',
};

const pathParamNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

function errorStatuses(op: Operation, path: string): number[] {
  const hasBody = op.method === 'post' || op.method === 'patch';
  return [
    ...(hasBody || op.query ? [400] : []),
    401,
    ...(pathParamNames(path).length > 0 || op.notFound ? [404] : []),
    ...(op.conflict ? [409] : []),
    ...(hasBody ? [413, 415] : []),
    503,
  ];
}

const json = (description: string, schema?: z.ZodType): ResponseConfig =>
  schema ? { description, content: { 'application/json': { schema } } } : { description };

function route(op: Operation, path: string, security: string, extra: Partial<Operation> = {}): RouteConfig {
  const o = { ...op, ...extra };
  const names = pathParamNames(path);
  const responses: RouteConfig['responses'] = { [o.ok.status]: json(o.ok.description, o.ok.schema) };
  for (const status of errorStatuses(o, path)) responses[status] = json(errorDescriptions[status], s.errorSchema);
  return {
    method: o.method,
    path,
    operationId: o.operationId,
    summary: o.summary,
    description: o.description,
    tags: [o.tag],
    security: [{ [security]: [] }],
    request: {
      params: names.length > 0 ? z.object(Object.fromEntries(names.map((n) => [n, pathParams[n]]))) : undefined,
      query: o.query,
      body: o.body && { required: o.body.required, content: { 'application/json': { schema: o.body.schema } } },
    },
    responses,
  };
}

/** Routes of admin.use('/integrations' | '/events', ...) in app.ts, under /admin. */
const adminOperations: Operation[] = [
  {
    method: 'post', path: '/admin/integrations', operationId: 'createIntegration', tag: 'Integrations',
    summary: 'Create an integration and its first API token',
    body: { schema: createIntegrationBody, required: true },
    ok: { status: 201, description: 'Created; the token is shown only now', schema: s.integrationCreatedSchema },
  },
  {
    method: 'get', path: '/admin/integrations', operationId: 'listIntegrations', tag: 'Integrations',
    summary: 'List integrations',
    ok: { status: 200, description: 'All integrations', schema: s.listOf(integrationSchema) },
  },
  {
    method: 'post', path: '/admin/integrations/{integrationId}/tokens', operationId: 'createToken', tag: 'Integrations',
    summary: 'Create another API token for an integration',
    ok: { status: 201, description: 'Created; the token is shown only now', schema: s.tokenCreatedSchema },
  },
  {
    method: 'delete', path: '/admin/integrations/{integrationId}/tokens/{tokenId}', operationId: 'revokeToken', tag: 'Integrations',
    summary: 'Revoke an API token (at once)',
    ok: { status: 204, description: 'Revoked' },
  },
  {
    method: 'post', path: '/admin/events', operationId: 'publishEvent', tag: 'Events',
    summary: 'Publish an event',
    description:
      'Durable and idempotent: once acknowledged, every active webhook of the integration subscribed to the event gets exactly one delivery. ' +
      'Publishing the same `id` again creates no new deliveries and answers with the first publication.',
    body: { schema: publishEventBody, required: true },
    ok: { status: 202, description: 'Published', schema: s.publishedEventSchema },
    notFound: true,
  },
];

const bodies = webhookBodies({ allowInsecureUrls: false, allowPrivateTargets: false });

/** The integrationRoutes of app.ts: served under /integration and /admin/integrations/{integrationId}. */
const integrationOperations: Operation[] = [
  {
    method: 'post', path: '/webhook-events', operationId: 'createWebhook', tag: 'Webhooks',
    summary: 'Register a webhook endpoint',
    body: { schema: bodies.create, required: true },
    ok: { status: 201, description: 'Created; the secret is shown only now and at rotation', schema: s.webhookWithSecretSchema },
  },
  {
    method: 'get', path: '/webhook-events', operationId: 'listWebhooks', tag: 'Webhooks',
    summary: 'List webhooks (without secrets)',
    ok: { status: 200, description: "The integration's webhooks", schema: s.listOf(webhookSchema) },
  },
  {
    method: 'get', path: '/webhook-events/{id}', operationId: 'getWebhook', tag: 'Webhooks',
    summary: 'Get a webhook and its health',
    ok: { status: 200, description: 'The webhook', schema: webhookSchema },
  },
  {
    method: 'patch', path: '/webhook-events/{id}', operationId: 'updateWebhook', tag: 'Webhooks',
    summary: 'Change a webhook; `active: true` re-enables it and resets its failure count',
    body: { schema: bodies.update, required: true },
    ok: { status: 200, description: 'The changed webhook', schema: webhookSchema },
  },
  {
    method: 'delete', path: '/webhook-events/{id}', operationId: 'deleteWebhook', tag: 'Webhooks',
    summary: 'Delete a webhook; its pending deliveries are cancelled',
    ok: { status: 204, description: 'Deleted' },
  },
  {
    method: 'post', path: '/webhook-events/{id}/rotate-secret', operationId: 'rotateWebhookSecret', tag: 'Webhooks',
    summary: 'Rotate the signing secret',
    description: 'The previous secret keeps signing deliveries (alongside the new one) for the grace period.',
    body: { schema: rotateSecretBody, required: false },
    ok: { status: 200, description: 'The webhook with its new secret', schema: s.webhookWithSecretSchema },
  },
  {
    method: 'get', path: '/event-types', operationId: 'listEventTypes', tag: 'Event types',
    summary: 'The event catalog',
    ok: { status: 200, description: 'Every event type', schema: s.eventTypeListSchema },
  },
  {
    method: 'get', path: '/webhook-events/{id}/deliveries', operationId: 'listDeliveries', tag: 'Deliveries',
    summary: "A webhook's delivery log, newest first",
    query: listQuery,
    ok: { status: 200, description: 'One page of deliveries', schema: s.deliveryPageSchema },
  },
  {
    method: 'get', path: '/deliveries/{deliveryId}', operationId: 'getDelivery', tag: 'Deliveries',
    summary: 'A delivery with its event and every attempt',
    ok: { status: 200, description: 'The delivery', schema: s.deliveryDetailSchema },
  },
  {
    method: 'post', path: '/deliveries/{deliveryId}/redeliver', operationId: 'redeliver', tag: 'Deliveries',
    summary: 'Deliver the same event again, as a new delivery',
    ok: { status: 202, description: 'The new delivery, started', schema: deliverySchema },
    conflict: true,
  },
  {
    method: 'post', path: '/webhook-events/{id}/recover', operationId: 'recoverDeliveries', tag: 'Deliveries',
    summary: 'Redeliver every failed delivery of a time range',
    body: { schema: recoverBody, required: true },
    ok: { status: 202, description: 'Redeliveries started', schema: s.recoverResultSchema },
    conflict: true,
  },
  {
    method: 'post', path: '/webhook-events/{id}/test', operationId: 'sendTestEvent', tag: 'Deliveries',
    summary: 'Send a `webhook.test` event to this webhook',
    body: { schema: testBody, required: false },
    ok: { status: 202, description: 'The test delivery, started', schema: s.testResultSchema },
    conflict: true,
  },
];

/** Served without credentials; the ones outside /api/v1 say so with a server of their own. */
const atRoot = [{ url: '/' }];
const publicRoutes: Omit<RouteConfig, 'method'>[] = [
  {
    path: '/openapi.json', operationId: 'getOpenApiDocument', tags: ['Meta'], summary: 'This OpenAPI document',
    responses: { 200: json('The OpenAPI 3.1 document', z.looseObject({ openapi: z.string() })) },
  },
  {
    path: '/docs', servers: atRoot, operationId: 'getDocsPage', tags: ['Meta'], summary: 'This document as a readable HTML page',
    responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
  },
  {
    path: '/healthz', servers: atRoot, operationId: 'healthz', tags: ['Operations'], summary: 'Liveness: the process is up',
    responses: { 200: json('Up', z.object({ status: z.literal('ok') })) },
  },
  {
    path: '/readyz', servers: atRoot, operationId: 'readyz', tags: ['Operations'], summary: 'Readiness: the database and Temporal are reachable',
    responses: {
      200: json('Ready', z.object({ status: z.literal('ready') })),
      503: json('unavailable: `details` names each unreachable service', s.errorSchema),
    },
  },
  {
    path: '/metrics', servers: atRoot, operationId: 'metrics', tags: ['Operations'], summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  },
];

const capitalize = (text: string) => text[0].toUpperCase() + text.slice(1);

const description = `Integrators register HTTPS endpoints and receive signed \`POST\`s when events happen; producers and operators publish events and manage integrations with the admin key.

**Signatures.** Every delivery has \`X-Webhook-Signature: sha256=<hex>\`: HMAC-SHA256 keyed with the whole secret string (\`whsec_...\`) over \`X-Webhook-Timestamp\` + \`.\` + the raw body, and the Standard Webhooks headers \`webhook-id\`, \`webhook-timestamp\` and \`webhook-signature: v1,<base64>\`. During a secret rotation's grace period each header carries one signature per valid secret. Delivery is at-least-once: deduplicate on \`X-Webhook-Delivery-Id\`.

**Retries.** An attempt succeeds only on a 2xx within 10 seconds; redirects count as failures. A failed first attempt is retried up to 3 times, after 1 s, 5 s and 30 s (at most 4 attempts). After 10 consecutive failed deliveries a webhook is disabled until \`PATCH {"active": true}\`.

**Errors** are JSON \`{"error": {"code", "message", "details"}}\`; an integration token reaches only its own integration, and another integration's resource answers 404.`;

const tags = [
  { name: 'Integrations', description: 'Admin key: integrations and their API tokens.' },
  { name: 'Events', description: 'Admin key: publish events over REST.' },
  { name: 'Webhooks', description: 'Integration token: webhook endpoints of the caller\'s integration.' },
  { name: 'Deliveries', description: 'Integration token: delivery log, redelivery, recovery and test events.' },
  { name: 'Event types', description: 'Integration token: the event catalog.' },
  { name: 'Admin view', description: 'Admin key: every integration route, acting for the integration in the path, with the same shapes and rules.' },
  { name: 'Meta', description: 'This document, without credentials.' },
  { name: 'Operations', description: 'Probes and metrics for operators, without credentials, outside /api/v1.' },
];

function buildDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'adminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_API_KEY setting; reaches the /admin routes only',
  });
  registry.registerComponent('securitySchemes', 'integrationToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'eudr_live_...',
    description: "An integration's API token; reaches only its own integration's resources",
  });
  for (const op of adminOperations) registry.registerPath(route(op, op.path, 'adminKey'));
  for (const op of integrationOperations) {
    registry.registerPath(route(op, `/integration${op.path}`, 'integrationToken'));
    registry.registerPath(
      route(op, `/admin/integrations/{integrationId}${op.path}`, 'adminKey', { tag: 'Admin view', operationId: `admin${capitalize(op.operationId)}` }),
    );
  }
  for (const config of publicRoutes) registry.registerPath({ method: 'get', security: [], ...config });
  const version = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Webhook delivery service', version, description },
    servers: [{ url: '/api/v1' }],
    tags,
  });
}

let cached: ReturnType<typeof buildDocument> | undefined;

/** The OpenAPI 3.1 document, built on first use. */
export function openApiDocument(): ReturnType<typeof buildDocument> {
  cached ??= buildDocument();
  return cached;
}

/** GET /api/v1/openapi.json and GET /docs (no auth). Mount before the app's unknown-route handler. */
export function openApiRouter(): Router {
  const router = Router();
  let page: string | undefined;
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  router.get('/docs', (_req, res) => {
    page ??= renderDocsPage(openApiDocument());
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'self'").type('html').send(page);
  });
  router.get('/docs/style.css', (_req, res) => {
    res.type('css').send(docsStylesheet);
  });
  return router;
}

// ---- The /docs page: plain HTML rendered from the document, with a stylesheet of its own. ----

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
}
interface Parameter { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema }
interface Media { content?: Record<string, { schema?: JsonSchema }> }
export interface OperationObject {
  servers?: { url: string }[];
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: Media & { required?: boolean };
  responses: Record<string, Media & { description: string }>;
}
export interface Doc {
  servers?: { url: string }[];
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, { description?: string }> };
}

const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escaped text with `code` and **bold**, split into paragraphs. */
const prose = (text = '') =>
  text
    .split(/\n\n+/)
    .map((para) => `<p>${esc(para).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')}</p>`)
    .join('');

const refName = (ref: string) => ref.split('/').pop()!;

function typeOf(schema: JsonSchema = {}): string {
  if (schema.$ref) return `<a href="#schema-${esc(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  if (schema.enum) return schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.properties) return `{ ${Object.entries(schema.properties).map(([name, prop]) => `${esc(name)}: ${typeOf(prop)}`).join(', ')} }`;
  const types = ([] as string[]).concat(schema.type ?? 'any');
  return types.map((t) => (t === 'array' ? `array of ${typeOf(schema.items)}` : esc(t + (schema.format ? ` (${schema.format})` : '')))).join(' | ');
}

function notes(schema: JsonSchema = {}): string {
  const rules = [
    schema.description,
    schema.default !== undefined && `default ${JSON.stringify(schema.default)}`,
    schema.minimum !== undefined && `min ${schema.minimum}`,
    schema.maximum !== undefined && `max ${schema.maximum}`,
    schema.minLength !== undefined && `min length ${schema.minLength}`,
    schema.maxLength !== undefined && `max length ${schema.maxLength}`,
    schema.minItems !== undefined && `at least ${schema.minItems}`,
    schema.pattern && `pattern ${schema.pattern}`,
  ].filter(Boolean);
  return prose(rules.join('; '));
}

function fields(schema: JsonSchema = {}): string {
  if (schema.anyOf?.every((variant) => variant.properties)) {
    return schema.anyOf.map((variant) => `<p>One of:</p>${fields(variant)}`).join('');
  }
  if (!schema.properties) return `<p>${typeOf(schema)}</p>`;
  const rows = Object.entries(schema.properties).map(
    ([name, prop]) =>
      `<tr><td><code>${esc(name)}</code>${schema.required?.includes(name) ? ' <em>required</em>' : ''}</td><td>${typeOf(prop)}</td><td>${notes(prop)}</td></tr>`,
  );
  return `<table><tr><th>field</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

function parameters(params: Parameter[] = []): string {
  if (params.length === 0) return '';
  const rows = params.map(
    (p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <em>required</em>' : ''}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${notes({ ...p.schema, description: p.description ?? p.schema?.description })}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

/** The path as requested: the operation's server (or the document's) and the path. */
export const fullPath = (doc: Doc, path: string, op: OperationObject) =>
  (op.servers?.[0]?.url ?? doc.servers?.[0]?.url ?? '').replace(/\/$/, '') + path;

function operation(path: string, method: string, op: OperationObject, doc: Doc): string {
  const auth = op.security?.length
    ? Object.keys(op.security[0]).map((name) => `${esc(name)} (Bearer): ${esc(doc.components?.securitySchemes?.[name]?.description ?? '')}`).join(', ')
    : 'none';
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(op.responses).map(
    ([status, r]) => `<tr><td>${esc(status)}</td><td>${prose(r.description)}</td><td>${r.content ? typeOf(r.content['application/json']?.schema) : ''}</td></tr>`,
  );
  return `<article class="op">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(fullPath(doc, path, op))}</code></h3>
${prose(op.summary)}${prose(op.description)}<p><strong>Auth:</strong> ${auth}</p>
${parameters(op.parameters)}${body ? `<h4>Request body${op.requestBody?.required ? '' : ' (optional)'}: application/json</h4>${fields(body)}` : ''}
<h4>Responses</h4><table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses.join('')}</table>
</article>`;
}

/** A self-contained HTML page of the document: operations grouped by tag, then the schemas. */
function renderDocsPage(document: object): string {
  const doc = document as Doc;
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const sections = (doc.tags ?? []).map((tag) => {
    const inTag = ops.filter(({ op }) => op.tags?.includes(tag.name));
    return `<section id="tag-${esc(tag.name)}"><h2>${esc(tag.name)}</h2>${prose(tag.description)}${inTag.map(({ path, method, op }) => operation(path, method, op, doc)).join('\n')}</section>`;
  });
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(
    ([name, schema]) => `<article id="schema-${esc(name)}"><h3>${esc(name)}</h3>${prose(schema.description)}${fields(schema)}</article>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API</title><link rel="stylesheet" href="/docs/style.css"></head>
<body><header><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>${prose(doc.info.description)}
<p>Base URL <code>/api/v1</code>. Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<nav>${(doc.tags ?? []).map((t) => `<a href="#tag-${esc(t.name)}">${esc(t.name)}</a>`).join(' · ')} · <a href="#schemas">Schemas</a></nav></header>
<main>${sections.join('\n')}<section id="schemas"><h2>Schemas</h2>${schemas.join('\n')}</section></main></body></html>
`;
}

const docsStylesheet = `body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 0 auto; padding: 1rem 2rem; color: #1d232a; }
code { font: 13px ui-monospace, monospace; background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
h2 { border-bottom: 2px solid #d0d7de; margin-top: 2.5rem; } h3 code { background: none; font-size: 15px; }
.op { border: 1px solid #d0d7de; border-radius: 6px; padding: 0 1rem 1rem; margin: 1rem 0; }
.method { display: inline-block; min-width: 4.5em; text-align: center; color: #fff; border-radius: 4px; font-size: 13px; padding: 2px 6px; }
.get { background: #1f6feb; } .post { background: #1a7f37; } .patch { background: #9a6700; } .delete { background: #cf222e; }
table { border-collapse: collapse; width: 100%; font-size: 14px; } th, td { text-align: left; vertical-align: top; border-top: 1px solid #e5e7eb; padding: 4px 8px; }
td p { margin: 0; } em { color: #cf222e; font-size: 12px; } nav a { margin: 0 2px; }
`;
