import type { Router } from 'express';
import { idPrefixes } from '../domain/ids';
import { notFound } from '../http/errors';

/** The path parameters that carry our ids: what each names and its prefix. */
const idParams = {
  integrationId: { what: 'Integration', prefix: idPrefixes.integration },
  tokenId: { what: 'Token', prefix: idPrefixes.token },
  id: { what: 'Webhook', prefix: idPrefixes.webhook },
  deliveryId: { what: 'Delivery', prefix: idPrefixes.delivery },
};

/**
 * A path id that cannot be one of ours (SPEC "Identifiers": prefix + base62) is not found, like
 * a missing one, before any lookup: the database never sees odd text (a NUL byte is an error there).
 */
export function checkPathIds(router: Router): Router {
  for (const [name, { what, prefix }] of Object.entries(idParams)) {
    const pattern = new RegExp(`^${prefix}[0-9A-Za-z]{1,100}$`);
    router.param(name, (_req, _res, next, value) => next(pattern.test(String(value)) ? undefined : notFound(what)));
  }
  return router;
}
