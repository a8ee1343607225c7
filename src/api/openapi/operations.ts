import { z } from 'zod';
import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { createIntegrationBody } from '../integrations';
import { rotateSecretBody, webhookBodies } from '../webhooks';
import { listQuery, recoverBody, testBody } from '../deliveries';
import { publishEventBody } from '../events';
import { deliverySchema, integrationSchema, webhookSchema } from '../serializers';
import * as s from '../schemas';

// What the OpenAPI document describes, one row per route: the zod schemas the routes parse with
// and the ones the serializers' answers are typed with. document.ts turns these rows into paths.

type Method = 'get' | 'post' | 'patch' | 'delete';

export interface Operation {
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
  /** When it answers 409 (a conflict), in a few words. */
  conflict?: string;
  /** Answers 404 for something named in the body (besides path parameters). */
  notFound?: boolean;
}

/** How each `{param}` of a path is documented. */
export const pathParams: Record<string, z.ZodString> = {
  integrationId: z.string().meta({ description: 'Integration id (`int_...`)', example: 'int_4hPq0cTqTqgkYf0wQhM8n2Xa' }),
  tokenId: z.string().meta({ description: 'API token id (`tok_...`)' }),
  id: z.string().meta({ description: 'Webhook id (`wh_...`)', example: 'wh_8Lx2mV0QwYk3ZfR7TgNc1Hds' }),
  deliveryId: z.string().meta({ description: 'Delivery id (`dlv_...`)', example: 'dlv_2bN7yQ4sKp9XwL0aZc5TfGmE' }),
};

/** The meaning of each error status, shared by every operation that can answer it. */
export const errorDescriptions: Record<number, string> = {
  400: 'validation_failed: the input is invalid (or the body is not valid JSON); `details` lists every problem',
  401: 'unauthorized: missing or bad credentials (with `WWW-Authenticate: Bearer`)',
  404: 'not_found: no such resource, or it belongs to another integration',
  413: 'payload_too_large: the body is over 1 MiB',
  415: 'unsupported_media_type: the body is not UTF-8 JSON',
  429: 'rate_limited: this credential made too many requests (API_RATE_LIMIT_PER_MINUTE, with a burst of API_RATE_LIMIT_BURST); retry after `Retry-After` seconds',
  503: 'unavailable: the database or Temporal is unreachable; try again shortly',
};

const webhookDisabled = 'conflict: the webhook is disabled; re-enable it (`PATCH {"active": true}`) first';

/** A response, with a JSON body when `schema` is given. */
export const json = (description: string, schema?: z.ZodType): ResponseConfig =>
  schema ? { description, content: { 'application/json': { schema } } } : { description };

/** Routes of admin.use('/integrations' | '/events', ...) in app.ts, under /admin. */
export const adminOperations: Operation[] = [
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
    conflict: 'conflict: the integration already published this `id` as another event type',
  },
];

const bodies = webhookBodies({ allowInsecureUrls: false, allowPrivateTargets: false });

/** The integrationRoutes of app.ts: served under /integration and /admin/integrations/{integrationId}. */
export const integrationOperations: Operation[] = [
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
    conflict: webhookDisabled,
  },
  {
    method: 'post', path: '/webhook-events/{id}/recover', operationId: 'recoverDeliveries', tag: 'Deliveries',
    summary: 'Redeliver every failed delivery of a time range',
    body: { schema: recoverBody, required: true },
    ok: { status: 202, description: 'Redeliveries started', schema: s.recoverResultSchema },
    conflict: webhookDisabled,
  },
  {
    method: 'post', path: '/webhook-events/{id}/test', operationId: 'sendTestEvent', tag: 'Deliveries',
    summary: 'Send a `webhook.test` event to this webhook',
    body: { schema: testBody, required: false },
    ok: { status: 202, description: 'The test delivery, started', schema: s.testResultSchema },
    conflict: webhookDisabled,
  },
];

/** Served without credentials; the ones outside /api/v1 say so with a server of their own. */
const atRoot = [{ url: '/' }];
export const publicRoutes: Omit<RouteConfig, 'method'>[] = [
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
