import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/http/errors';
import { createLogger } from '../../src/logger';

/** An app whose one route throws `err`, answered by the service's error handler. */
function throwing(err: Error) {
  const app = express();
  app.get('/', () => {
    throw err;
  });
  app.use(errorHandler(createLogger('silent')));
  return app;
}

describe('the JSON error answers', () => {
  // What knex rethrows when PostgreSQL went away in the middle of a transaction (seen by npm run test:faults).
  it.each([
    'ROLLBACK - Client has encountered a connection error and is not queryable',
    'Client was closed and is not queryable',
    'Connection terminated unexpectedly',
  ])('answers 503 unavailable, not 500, for the database error "%s"', async (message) => {
    const res = await request(throwing(new Error(message))).get('/').expect(503);
    expect(res.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
  });

  it('answers 500 internal for anything else', async () => {
    const res = await request(throwing(new Error('column "x" does not exist'))).get('/').expect(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
  });
});
