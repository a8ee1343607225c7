import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import * as s from '../schemas';
import { adminOperations, errorDescriptions, integrationOperations, json, pathParams, publicRoutes, type Operation } from './operations';

// The OpenAPI 3.1 document of the REST API, built once from the operation tables: each operation
// gets its path parameters and the error responses it can give; integration routes appear twice,
// for an integration token and in the admin view.

const pathParamNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

/** The error statuses an operation can answer with, from what it takes (body, query, path parameters). */
function errorStatuses(op: Operation, path: string): number[] {
  const hasBody = op.method === 'post' || op.method === 'patch';
  return [
    ...(hasBody || op.query ? [400] : []),
    401,
    ...(pathParamNames(path).length > 0 || op.notFound ? [404] : []),
    ...(op.conflict ? [409] : []),
    ...(hasBody ? [413, 415] : []),
    429,
    503,
  ];
}

const wholeNumber = { schema: { type: 'integer' as const, minimum: 0 } };
/** What a 429 carries: when to retry, and the bucket (every answer of an authenticated route has the RateLimit ones). */
const rateLimitHeaders = {
  'Retry-After': { description: 'Whole seconds until the next request is allowed', ...wholeNumber },
  'RateLimit-Limit': { description: 'The burst: how many requests the credential may make at once (API_RATE_LIMIT_BURST)', ...wholeNumber },
  'RateLimit-Remaining': { description: 'Requests left now', ...wholeNumber },
  'RateLimit-Reset': { description: 'Whole seconds until the full burst is available again', ...wholeNumber },
};

/** One operation as a zod-to-openapi route at `path`, behind the `security` scheme; `extra` overrides fields. */
function route(op: Operation, path: string, security: string, extra: Partial<Operation> = {}): RouteConfig {
  const o = { ...op, ...extra };
  const names = pathParamNames(path);
  const responses: RouteConfig['responses'] = { [o.ok.status]: json(o.ok.description, o.ok.schema) };
  for (const status of errorStatuses(o, path)) {
    responses[status] = json(status === 409 ? o.conflict! : errorDescriptions[status], s.errorSchema);
    if (status === 429) responses[status].headers = rateLimitHeaders;
  }
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

const capitalize = (text: string) => text[0].toUpperCase() + text.slice(1);

const description = `Integrators register HTTPS endpoints and receive signed \`POST\`s when events happen; producers and operators publish events and manage integrations with the admin key.

**Signatures.** Every delivery has \`X-Webhook-Signature: sha256=<hex>\`: HMAC-SHA256 keyed with the whole secret string (\`whsec_...\`) over \`X-Webhook-Timestamp\` + \`.\` + the raw body, and the Standard Webhooks headers \`webhook-id\`, \`webhook-timestamp\` and \`webhook-signature: v1,<base64>\`. During a secret rotation's grace period each header carries one signature per valid secret. Delivery is at-least-once: deduplicate on \`X-Webhook-Delivery-Id\`.

**Retries.** An attempt succeeds only on a 2xx within 10 seconds; redirects count as failures. A failed first attempt is retried up to 3 times, after 1 s, 5 s and 30 s (at most 4 attempts). A 429 or 503 with \`Retry-After\` (seconds or an HTTP date) stretches the next wait to what the receiver asked, up to \`WEBHOOK_MAX_RETRY_AFTER_MS\` (default 5 minutes). A 410 Gone disables the webhook at once (\`disabledReason: "gone"\`) with no further attempt. After 10 consecutive failed deliveries a webhook is disabled (\`disabledReason: "consecutive_failures"\`); either way, until \`PATCH {"active": true}\`.

**Errors** are JSON \`{"error": {"code", "message", "details"}}\`; an integration token reaches only its own integration, and another integration's resource answers 404.

**Rate limits.** Each credential (each API token, the admin key) has a token bucket of \`API_RATE_LIMIT_BURST\` requests (default 100), refilled at \`API_RATE_LIMIT_PER_MINUTE\` (default 600), shared by every API process. Every answer of an authenticated route carries \`RateLimit-Limit\`, \`RateLimit-Remaining\` and \`RateLimit-Reset\`; past the limit the answer is 429 \`rate_limited\` with \`Retry-After\` in whole seconds.`;

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
  const version = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version as string;
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
