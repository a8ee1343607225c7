import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../src/dev/temporal-cli';
import { devServerArgs } from '../src/dev/temporal-dev-server';
import { testDatabase } from './helpers/db';
import { freePort } from './helpers/ports';

/**
 * One real Temporal dev server, with its Web UI, and one workflow bundle for the whole run; test
 * files find them through TEMPORAL_TEST_ADDRESS, TEMPORAL_TEST_UI_URL and WORKFLOW_BUNDLE_PATH
 * (workers inherit this environment). First, the database the run uses, so every log says what
 * the tests ran on.
 */
export default async function globalSetup(): Promise<void> {
  console.log(`Tests run on ${testDatabase()}`);
  const cli = await ensureTemporalCli((line) => console.log(line));
  const uiPort = await freePort();
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      // In memory, with `npm start`'s dynamic configuration and search attributes.
      server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', uiPort, extraArgs: devServerArgs(undefined), log: { format: 'pretty', level: 'error' } },
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quietBundlerLogger }),
  ]);
  const bundlePath = path.join(mkdtempSync(path.join(os.tmpdir(), 'workflows-')), 'bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  process.env.TEMPORAL_TEST_UI_URL = `http://127.0.0.1:${uiPort}`;
  process.env.TEMPORAL_CLI_PATH = cli;
  process.env.WORKFLOW_BUNDLE_PATH = bundlePath;
  (globalThis as { temporalTestEnv?: TestWorkflowEnvironment }).temporalTestEnv = env;
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};
