import request from 'supertest';
import type { Express } from 'express';
import { buildApp } from '../../src/api/app';
import { createRepositories, type Repositories } from '../../src/db';
import { createLogger } from '../../src/logger';
import { createTestDb } from './db';

export const adminKey = 'test-admin-key-0123456789';

export interface TestApp {
  app: Express;
  repos: Repositories;
  close(): Promise<void>;
}

export interface TestAppOptions {
  allowPrivateTargets?: boolean;
  allowInsecureUrls?: boolean;
}

/** The real app on a real database of its own, driven in-process with supertest. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { db, close } = await createTestDb();
  const repos = createRepositories(db);
  const app = buildApp({
    config: {
      adminApiKey: adminKey,
      allowPrivateTargets: options.allowPrivateTargets ?? false,
      allowInsecureUrls: options.allowInsecureUrls ?? false,
    },
    repos,
    logger: createLogger('silent'),
  });
  return { app, repos, close };
}

/** supertest requests carrying `Authorization: Bearer <token>`. */
export const withBearer = (app: Express, token: string) => ({
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body?: object) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
  patch: (path: string, body?: object) => request(app).patch(path).set('Authorization', `Bearer ${token}`).send(body),
  delete: (path: string) => request(app).delete(path).set('Authorization', `Bearer ${token}`),
});

export const asAdmin = (app: Express) => withBearer(app, adminKey);

/** Creates an integration through the admin API; returns its id and first token. */
export async function createIntegration(app: Express, name = 'Acme ERP'): Promise<{ id: string; token: string; tokenId: string }> {
  const res = await asAdmin(app).post('/api/v1/admin/integrations', { name }).expect(201);
  return { id: res.body.id, token: res.body.token, tokenId: res.body.tokenId };
}
