import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../src/dev/temporal-cli';

/**
 * One real Temporal dev server for the whole run; test files reach it through
 * TEMPORAL_TEST_ADDRESS (workers inherit this process's environment).
 */
export default async function globalSetup(): Promise<void> {
  const cli = await ensureTemporalCli((line) => console.log(line));
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1' },
  });
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  process.env.TEMPORAL_CLI_PATH = cli;
  (globalThis as { temporalTestEnv?: TestWorkflowEnvironment }).temporalTestEnv = env;
}
