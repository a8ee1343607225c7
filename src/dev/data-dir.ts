import path from 'node:path';

/** The embedded defaults (PGlite, Temporal dev server, admin key) keep their files here. */
export function defaultDataDir(): string {
  return path.resolve('.data');
}
