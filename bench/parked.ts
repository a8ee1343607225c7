import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { createPublisher } from '../src/client';
import { createDb } from '../src/db/knex';
import { benchData, type Audience } from './sides';
import { startEntrypoint } from './service-processes';
import { processRssMiB as rssMiB } from './cpu';

export interface ParkedCheckpoint {
  parked: number;
  workerRssMiB: number;
  /** When the checkpoint was reached, seconds from the first publish. */
  seconds: number;
}

export interface ParkedResult {
  idleRssMiB: number;
  checkpoints: ParkedCheckpoint[];
}

export interface ParkedOptions {
  temporalAddress: string;
  databaseUrl: string;
  encryptionKey: string;
  /** Webhooks whose receiver always fails, so each delivery parks after its first attempt. */
  failing: Audience;
  /** Parked deliveries at which the worker's RSS is read; the last is the total. */
  checkpoints: number[];
  tag: string;
}

const taskQueue = 'webhooks-bench-parked';
/** Every retry is 10 minutes away: a failed first attempt parks the delivery for the rest of the run. */
const parkedDelays = '600000,600000,600000';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The service's worker as its own process, as `npm run worker` runs it: compiled, with the prebuilt workflow bundle. */
function startWorkerProcess(options: ParkedOptions): ChildProcess {
  return startEntrypoint('worker', {
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: options.databaseUrl,
    SECRET_ENCRYPTION_KEY: options.encryptionKey,
    WEBHOOK_RETRY_DELAYS_MS: parkedDelays,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_ALLOW_INSECURE_URLS: 'true',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  });
}

/**
 * Parks deliveries in backoff, one event to every failing webhook at a time, and reads the worker
 * process's RSS idle and at each checkpoint (once that many deliveries wait for their retry).
 */
export async function parked(options: ParkedOptions): Promise<ParkedResult> {
  const worker = startWorkerProcess(options);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const db = createDb({ databaseUrl: options.databaseUrl });
  const connection = await Connection.connect({ address: options.temporalAddress });
  const publisher = createPublisher({ client: new Client({ connection }), taskQueue });
  const countParked = async () =>
    Number((await db('deliveries').where({ integration_id: options.failing.integrationId, status: 'retrying' }).count({ n: '*' }))[0].n);
  try {
    await sleep(10_000); // started, bundled its workflows, polling
    const idleRssMiB = rssMiB(worker.pid!);
    const total = options.checkpoints[options.checkpoints.length - 1];
    const events = Math.ceil(total / options.failing.urls.length);
    const started = performance.now();
    const checkpoints: ParkedCheckpoint[] = [];
    let published = 0;
    for (const target of options.checkpoints) {
      // Publish just enough events to reach this checkpoint, then wait until they are parked.
      while (published * options.failing.urls.length < target && published < events) {
        const id = `${options.tag}-${published++}`;
        await publisher.publish({ integrationId: options.failing.integrationId, event: 'supplier.created', data: benchData(id), id: `evt_${id}` });
      }
      while ((await countParked()) < target) {
        if (worker.exitCode !== null) throw new Error('the parked worker exited');
        await sleep(1000);
      }
      const seconds = (performance.now() - started) / 1000;
      await sleep(5_000); // let the worker settle (garbage collection, caches)
      checkpoints.push({ parked: await countParked(), workerRssMiB: rssMiB(worker.pid!), seconds });
      console.error(`parked: ${checkpoints.at(-1)!.parked} deliveries, worker RSS ${Math.round(checkpoints.at(-1)!.workerRssMiB)} MiB`);
    }
    return { idleRssMiB, checkpoints };
  } finally {
    worker.kill('SIGTERM');
    await exited;
    await connection.close();
    await db.destroy();
  }
}

/** The parked scenario as a Markdown table: the worker's RSS as deliveries pile up in backoff. */
export function formatParked(result: ParkedResult): string {
  const lines = [
    '| deliveries parked in backoff | worker RSS | reached after |',
    '|---:|---:|---:|',
    `| 0 (idle) | ${Math.round(result.idleRssMiB)} MiB | |`,
    ...result.checkpoints.map((c) => `| ${c.parked} | ${Math.round(c.workerRssMiB)} MiB | ${Math.round(c.seconds)} s |`),
  ];
  return `${lines.join('\n')}\n`;
}
