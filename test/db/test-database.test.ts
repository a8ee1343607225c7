import { testDatabase } from '../helpers/db';

describe('testDatabase: what the tests run on', () => {
  const url = 'postgres://postgres:s3cret@127.0.0.1:5432/webhooks_test';

  it('refuses to fall back to PGlite under CI=true without DATABASE_URL', () => {
    expect(() => testDatabase({ CI: 'true' })).toThrow(/DATABASE_URL is not set.*\.ci\/run/);
  });

  it('names the PostgreSQL server and database under CI=true, never the password', () => {
    const description = testDatabase({ CI: 'true', DATABASE_URL: url });
    expect(description).toBe('PostgreSQL at 127.0.0.1:5432/webhooks_test');
    expect(description).not.toContain('s3cret');
  });

  it('uses the embedded PGlite without DATABASE_URL outside CI', () => {
    expect(testDatabase({})).toBe('embedded PGlite (in memory)');
  });
});
