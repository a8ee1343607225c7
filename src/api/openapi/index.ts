import { Router } from 'express';
import { openApiDocument } from './document';
import { docsStylesheet, renderDocsPage } from './docs-page';
import { contentSecurityPolicy, type CspDirectives } from '../security';

// The REST API described: GET /api/v1/openapi.json (the OpenAPI 3.1 document) and GET /docs (the
// same as a readable HTML page), both without credentials.

export { openApiDocument };

/** The page loads its stylesheet and nothing else: no script at all, no framing. */
export const docsCspDirectives: CspDirectives = {
  'default-src': ["'none'"],
  'style-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** GET /api/v1/openapi.json and GET /docs (no auth). Mount before the app's unknown-route handler. */
export function openApiRouter(): Router {
  const router = Router();
  let page: string | undefined;
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  router.get('/docs', contentSecurityPolicy(docsCspDirectives), (_req, res) => {
    page ??= renderDocsPage(openApiDocument());
    res.type('html').send(page);
  });
  router.get('/docs/style.css', (_req, res) => {
    res.type('css').send(docsStylesheet);
  });
  return router;
}
