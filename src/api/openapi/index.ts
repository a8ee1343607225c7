import { Router } from 'express';
import { openApiDocument } from './document';
import { docsStylesheet, renderDocsPage } from './docs-page';

// The REST API described: GET /api/v1/openapi.json (the OpenAPI 3.1 document) and GET /docs (the
// same as a readable HTML page), both without credentials.

export { openApiDocument };

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
