import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildTemporalCli, findTemporalCli, TemporalCliMissingError } from './temporal-cli';
import { searchAttributes } from '../domain/workflow-definitions';

export interface DevServerOptions {
  namespace: string;
  /** Keeps the server's state in <dataDir>/temporal.db across restarts; omitted means in memory. */
  dataDir?: string;
  /** Frontend port; omitted picks a free one. */
  port?: number;
  /** Web UI port; omitted means no UI. */
  uiPort?: number;
  /** SQLite pragmas of an on-disk store (`name=value`); default `fastSqlitePragmas`. */
  sqlitePragmas?: string[];
  log: (line: string) => void;
}

/**
 * The on-disk store's pragmas. SQLite's defaults (a rollback journal, a full fsync per commit) cap
 * the dev server at a few workflow steps per second; with a write-ahead log synced at checkpoints,
 * a crash of the process still loses nothing, and only a power cut may lose the last commits.
 */
export const fastSqlitePragmas = ['journal_mode=wal', 'synchronous=normal'];

/**
 * The dev server's dynamic configuration:
 * - eager activity execution (off by default) hands a workflow's newly scheduled activity back to
 *   its worker with the workflow task's answer, when that worker has a free slot, instead of
 *   through a task queue poll: one round trip less per attempt;
 * - search attributes read from the server's cache, as a production server reads them. The dev
 *   server turns that cache off by default (`forceSearchAttributesCacheRefreshOnRead`), so that a
 *   search attribute created while it runs is usable at once; it then reads them from SQLite on
 *   every workflow start, upsert and visibility write, each read waiting its turn at the database.
 *   The service's search attributes are registered as the server starts instead (devServerArgs);
 * - up to 100 updates in flight per workflow (10 by default): the TypeScript publisher's
 *   publications are updates of one workflow; past the limit they are turned away and sent again,
 *   and those without an answer within 5 s are published in a workflow of their own;
 * - one partition per task queue (4 by default). A task not started eagerly is matched to a poller
 *   of its partition, and an SDK worker keeps few pollers on a queue's shared (not sticky) side,
 *   2 of 10 by default: with four partitions some tasks waited seconds for theirs. Bare Temporal's
 *   burst (every start through the task queue) went from 37-50 to 62-72 deliveries a second, its
 *   p99 publish→receipt from 5-7 s to 3.1-3.7 s (docs/performance.md, levers). The service starts
 *   its deliveries eagerly, but its other workflows' first tasks go through the queue.
 */
export const devServerDynamicConfig = [
  'system.enableActivityEagerExecution=true',
  'system.forceSearchAttributesCacheRefreshOnRead=false',
  'history.maxInFlightUpdates=100',
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
];

/**
 * The dev server's arguments beyond the SDK's: its store's pragmas (given for a store on disk),
 * its dynamic configuration and the service's search attributes, registered as it starts.
 */
export function devServerArgs(sqlitePragmas: string[] | undefined): string[] {
  return [
    ...(sqlitePragmas ?? []).flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...devServerDynamicConfig.flatMap((value) => ['--dynamic-config-value', value]),
    ...Object.values(searchAttributes).flatMap((key) => ['--search-attribute', `${key.name}=${key.type}`]),
  ];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

type Executable = NonNullable<NonNullable<Parameters<typeof TestWorkflowEnvironment.createLocal>[0]>['server']>['executable'];

/**
 * Starts a local Temporal dev server (with its Web UI when uiPort is given). The CLI comes from
 * this machine (see temporal-cli.ts), else the SDK's cached download, else a Go build.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const found = findTemporalCli();
  if (found) return launch(options, { type: 'existing-path', path: found });
  try {
    return await launch(options, { type: 'cached-download' });
  } catch (downloadError) {
    options.log(`The SDK could not download the Temporal CLI (${(downloadError as Error).message.split('\n')[0]}).`);
    try {
      return await launch(options, { type: 'existing-path', path: await buildTemporalCli(options.log) });
    } catch (err) {
      if (err instanceof TemporalCliMissingError) throw err;
      throw new TemporalCliMissingError(`Starting the Temporal dev server failed: ${(err as Error).message}`);
    }
  }
}

async function launch(options: DevServerOptions, executable: Executable): Promise<DevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      namespace: options.namespace,
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dataDir ? path.join(options.dataDir, 'temporal.db') : undefined,
      extraArgs: devServerArgs(options.dataDir ? (options.sqlitePragmas ?? fastSqlitePragmas) : undefined),
      // It shares the terminal with the service: only what may need attention.
      log: { format: 'pretty', level: 'warn' },
    },
  });
  return {
    address: env.address,
    uiUrl: options.uiPort !== undefined ? `http://localhost:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
