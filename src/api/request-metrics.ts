import type { RequestHandler } from 'express';
import type { Metrics } from '../metrics';

/** Which mount a request came through; route patterns alone do not say it. */
function area(url: string): string {
  if (/^\/api\/v1\/admin\/integrations\/[^/]+\/(webhook-events|event-types|deliveries)/.test(url)) return 'admin-view';
  if (url.startsWith('/api/v1/admin')) return 'admin';
  if (url.startsWith('/api/v1/integration')) return 'integration';
  return 'other';
}

/** Counts every API request by its route pattern (not the raw path, which would explode the labels). */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const route = req.route ? `${area(req.originalUrl)} ${req.route.path}` : 'unmatched';
      metrics.apiRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
