import { Router } from 'express';
import { z } from 'zod';
import { newId, newWebhookSecret } from '../domain/ids';
import { eventCatalog, eventTypes, isSubscribableEventType, subscribableEventTypes } from '../domain/event-catalog';
import type { Repositories } from '../db';
import type { HealthControl } from '../client/webhook-health';
import { notFound } from '../http/errors';
import { integrationOf } from './auth';
import { parseBody, storableText } from './validate';
import { webhookJson } from './serializers';
import type { eventTypeListSchema } from './schemas';
import { webhookUrlSchema, type WebhookUrlRules } from './webhook-url';
import { checkPathIds } from './path-ids';

const eventList = z
  .array(
    z
      .string()
      .refine(isSubscribableEventType, { message: `must be one of: ${subscribableEventTypes.join(', ')}` })
      .meta({ enum: subscribableEventTypes }),
  )
  .min(1, 'must list at least one event type')
  .superRefine((events, ctx) => {
    events.forEach((event, index) => {
      if (events.indexOf(event) !== index) ctx.addIssue({ code: 'custom', path: [index], message: 'is listed twice' });
    });
  });

const description = storableText(z.string().max(1000, 'must be at most 1000 characters'));

/** The bodies of create and update; exported for the OpenAPI document (api/openapi). */
export function webhookBodies(rules: WebhookUrlRules) {
  const url = webhookUrlSchema(rules).meta({
    format: 'uri',
    description: 'Absolute https URL (http only with WEBHOOK_ALLOW_INSECURE_URLS=true), no user:password, no private address',
  });
  return {
    create: z.strictObject({ url, events: eventList, description: description.nullish() }),
    update: z
      .strictObject({ url: url.optional(), events: eventList.optional(), active: z.boolean().optional(), description: description.nullish() })
      .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one of url, events, active, description' }),
  };
}

export const rotateSecretBody = z.strictObject({
  /** How long the previous secret keeps signing deliveries: default one day, at most 7 days. */
  gracePeriodSeconds: z.number().int().min(0).max(7 * 86400, 'must be at most 604800 (7 days)').default(86400),
});

/**
 * Webhook endpoints and the event catalog for one integration, found in res.locals.integrationId.
 * Mounted for integration tokens and, for the admin view, under /admin/integrations/:integrationId.
 */
export function webhooksRouter(deps: { repos: Repositories; health: HealthControl; rules: WebhookUrlRules }): Router {
  const { repos, health, rules } = deps;
  const router = checkPathIds(Router());
  const bodies = webhookBodies(rules);

  router.post('/webhook-events', async (req, res) => {
    const body = parseBody(bodies.create, req);
    const webhook = await repos.webhooks.insert({
      id: newId('webhook'),
      integrationId: integrationOf(res),
      url: body.url,
      events: body.events,
      description: body.description ?? null,
      secret: newWebhookSecret(),
    });
    res.status(201).json(webhookJson(webhook, { withSecret: true }));
  });

  router.get('/webhook-events', async (_req, res) => {
    const webhooks = await repos.webhooks.list(integrationOf(res));
    res.json({ data: webhooks.map((webhook) => webhookJson(webhook)) });
  });

  router.get('/webhook-events/:id', async (req, res) => {
    const webhook = await repos.webhooks.find(integrationOf(res), String(req.params.id));
    if (!webhook) throw notFound('Webhook');
    res.json(webhookJson(webhook));
  });

  router.patch('/webhook-events/:id', async (req, res) => {
    const { active, ...changes } = parseBody(bodies.update, req);
    const id = String(req.params.id);
    const current = await repos.webhooks.find(integrationOf(res), id);
    if (!current) throw notFound('Webhook');
    // Re-enabling goes through the health workflow first, so its count and the database agree.
    if (active === true && !current.active) await health.reenable(id, changes.url ?? current.url);
    const webhook = await repos.webhooks.update(integrationOf(res), id, { ...changes, ...(active === false ? { active } : {}) });
    if (!webhook) throw notFound('Webhook');
    res.json(webhookJson(webhook));
  });

  router.delete('/webhook-events/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!(await repos.webhooks.find(integrationOf(res), id))) throw notFound('Webhook');
    // Temporal unreachable: 503 before anything changes.
    await health.ensureReachable();
    // The row first, then its health workflow: should telling it fail, the webhook is gone all the
    // same (no delivery starts, none in flight makes another attempt), and the health workflow
    // ends at its next outcome, when it finds the webhook deleted.
    if (!(await repos.webhooks.remove(integrationOf(res), id))) throw notFound('Webhook');
    await health.webhookDeleted(id);
    res.status(204).end();
  });

  router.post('/webhook-events/:id/rotate-secret', async (req, res) => {
    const { gracePeriodSeconds } = parseBody(rotateSecretBody, req);
    const webhook = await repos.webhooks.rotateSecret(integrationOf(res), String(req.params.id), newWebhookSecret(), gracePeriodSeconds);
    if (!webhook) throw notFound('Webhook');
    res.json(webhookJson(webhook, { withSecret: true }));
  });

  router.get('/event-types', (_req, res) => {
    const body: z.infer<typeof eventTypeListSchema> = {
      data: eventTypes.map((name) => ({ name, description: eventCatalog[name].description, subscribable: eventCatalog[name].subscribable })),
    };
    res.json(body);
  });

  return router;
}
