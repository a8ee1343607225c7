const base = require('./jest.config');

/**
 * `npm run test:faults`: test/faults alone. It starts its own PostgreSQL cluster, Temporal dev server,
 * API and worker (so it needs none of the suite's global setup) and runs on its own, one file at a time.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  roots: ['<rootDir>/test/faults'],
  testMatch: base.testMatch,
  transform: base.transform,
  setupFiles: base.setupFiles,
  testTimeout: 300_000,
  maxWorkers: 1,
};
