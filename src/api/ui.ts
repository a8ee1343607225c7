import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Response } from 'express';
import { build, type BuildOptions } from 'esbuild';
import { contentSecurityPolicy, type CspDirectives } from './security';

/** The Platform UI as served: built once per process, kept in memory. */
export interface UiAssets {
  html: string;
  js: string;
  css: string;
}

/** Only this origin, no inline script or style, no framing, no plugins. */
export const uiCspDirectives: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Where the UI sources are: src/ui beside this file under tsx, or the source tree's src/ui when
 * running compiled code from dist/ (the browser code is not part of the server build).
 */
export function findUiDirectory(): string {
  const candidates = [path.resolve(__dirname, '../ui'), path.resolve(__dirname, '../../src/ui')];
  return candidates.find((dir) => existsSync(path.join(dir, 'app.ts'))) ?? candidates[0];
}

const builds = new Map<string, Promise<UiAssets>>();

/** Bundles src/ui/app.ts and styles.css with esbuild into memory; one build per directory per process. */
export function buildUiAssets(dir: string = findUiDirectory()): Promise<UiAssets> {
  let assets = builds.get(dir);
  if (!assets) {
    assets = bundle(dir);
    builds.set(dir, assets);
    // A failed build is retried by the next caller rather than cached.
    assets.catch(() => builds.delete(dir));
  }
  return assets;
}

async function bundle(dir: string): Promise<UiAssets> {
  const common = {
    bundle: true,
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  } satisfies BuildOptions;
  const [html, js, css] = await Promise.all([
    readFile(path.join(dir, 'index.html'), 'utf8'),
    build({
      ...common,
      entryPoints: [path.join(dir, 'app.ts')],
      platform: 'browser',
      format: 'iife',
      tsconfig: path.join(dir, 'tsconfig.json'),
    }),
    build({ ...common, entryPoints: [path.join(dir, 'styles.css')], loader: { '.css': 'css' } }),
  ]);
  const text = (result: { outputFiles?: Array<{ text: string }> }) => {
    const file = result.outputFiles?.[0];
    if (!file) throw new Error('esbuild produced no output for the Platform UI');
    return file.text;
  };
  return { html, js: text(js), css: text(css) };
}

const htmlAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page, naming the Temporal Web UI's namespace page for the UI's links when there is one. */
export function pageWithTemporalUi(html: string, namespaceUrl: string | undefined): string {
  if (!namespaceUrl) return html;
  return html.replace('</head>', `  <meta name="temporal-ui-namespace" content="${htmlAttribute(namespaceUrl)}">\n  </head>`);
}

export interface UiOptions {
  dir?: string;
  /** TEMPORAL_UI_URL and the namespace: deliveries and webhooks link to the Web UI; unset, no links. */
  temporalUi?: { url?: string; namespace: string };
}

/**
 * The Platform UI: `/` (index.html), `/ui/app.js`, `/ui/styles.css`. The bundle is built when the
 * router is created (at API start-up) and cached; a request waits for it if it is still building.
 * Anything else falls through to the next handler.
 */
export function uiRouter(options: UiOptions = {}): Router {
  const dir = options.dir ?? findUiDirectory();
  const { url, namespace } = options.temporalUi ?? {};
  const namespaceUrl = url && namespace ? `${url}/namespaces/${encodeURIComponent(namespace)}` : undefined;
  // Start building now; a failure is reported to the requests that need it (a 500 through the
  // app's error handler) and the next request tries again.
  buildUiAssets(dir).catch(() => undefined);
  const router = Router();
  const csp = contentSecurityPolicy(uiCspDirectives);
  const serve = (type: string, pick: (a: UiAssets) => string) => async (_req: unknown, res: Response) => {
    const body = pick(await buildUiAssets(dir));
    res.set('Cache-Control', 'no-cache').type(type).send(body);
  };
  router.get('/', csp, serve('html', (a) => pageWithTemporalUi(a.html, namespaceUrl)));
  router.get('/ui/app.js', csp, serve('application/javascript', (a) => a.js));
  router.get('/ui/styles.css', csp, serve('css', (a) => a.css));
  return router;
}
