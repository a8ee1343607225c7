/**
 * `npm run bench`: the service side by side with bare Temporal, in one run, on one Temporal server
 * and one receiver. Sides: raw HTTP POSTs (the floor), bare Temporal (one workflow with one POST
 * activity per delivery, on a minimal worker in this process), the service publishing over REST,
 * the service publishing with the TypeScript publisher and, with DATABASE_URL, the service as
 * production runs it (API and worker as separate processes, REST publish). Scenarios: burst,
 * serial, fan-out, publish under load, parked. This process runs what is measured (the service as
 * `npm start` runs it, and bare Temporal's worker); the receiver and every side's publishers run in
 * a load process of their own. Prints deliveries/s, publish-to-receipt p50/p99, publish
 * acknowledgement p50/p99, peak RSS and CPU by component, each with its ratio to bare Temporal.
 * See docs/performance.md for options.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startService, type RunningService } from '../src/main';
import { installTemporalLogging } from '../src/worker/runtime';
import { createLogger } from '../src/logger';
import { devServerDynamicConfig, fastSqlitePragmas, startTemporalDevServer, type DevServer } from '../src/dev/temporal-dev-server';
import { randomBase62 } from '../src/domain/ids';
import { freePort } from '../test/helpers/ports';
import { sideNames, startBareWorker, type Audience } from './sides';
import { startLoadProcess, type LoadProcess } from './load-process';
import { scenarioNames, type ScenarioName, type Timings } from './scenarios';
import { cpuSince, processRssMiB, readCpu, type CpuReading } from './cpu';
import { startServiceProcesses, type ServiceProcesses } from './service-processes';
import { formatReport, type Row } from './report';
import { formatParked, parked } from './parked';

/** BENCH_SCENARIOS, checked before anything starts. */
function scenariosFrom(list: string): Array<ScenarioName | 'parked'> {
  const names = list.split(',');
  const unknown = names.filter((name) => name !== 'parked' && !(scenarioNames as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')} (${scenarioNames.join(', ')}, parked)`);
  return names as Array<ScenarioName | 'parked'>;
}

/** BENCH_API_NICE, checked before anything starts: a nice value, -20 to 19 (0: the default priority). */
function niceFrom(value: string): number {
  const nice = Number(value);
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw new Error(`BENCH_API_NICE must be an integer from -20 to 19, not ${value}`);
  return nice;
}

/** BENCH_ROUNDS, checked before anything starts: how many times each scenario runs every side. */
function roundsFrom(value: string): number {
  const rounds = Number(value);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS must be a whole number from 1, not ${value}`);
  return rounds;
}

const settings = {
  burstEvents: Number(process.env.BENCH_EVENTS ?? 300),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 32),
  serialEvents: Number(process.env.BENCH_SERIAL ?? 30),
  /** Under load, each publisher publishes once every this many ms (32 publishers: 32 events/s). */
  pacingMs: Number(process.env.BENCH_PACING_MS ?? 1000),
  fanOut: Number(process.env.BENCH_FANOUT ?? 500),
  /** Comma-separated pragmas for the embedded server's SQLite file; empty means SQLite's defaults. */
  sqlitePragmas: process.env.BENCH_SQLITE_PRAGMAS === undefined ? fastSqlitePragmas : process.env.BENCH_SQLITE_PRAGMAS.split(',').filter(Boolean),
  /** Deliveries parked in backoff at which the worker's RSS is read (needs DATABASE_URL). */
  parked: (process.env.BENCH_PARKED ?? '500,1000,2000').split(',').map(Number),
  /**
   * Each scenario runs every side this many times, in turn; a row pools its side's rounds. Three:
   * one round's ratios moved by 10-30 points from run to run on this shared machine.
   */
  rounds: roundsFrom(process.env.BENCH_ROUNDS ?? '3'),
  scenarios: scenariosFrom(process.env.BENCH_SCENARIOS ?? 'burst,serial,fan-out,publish-under-load,parked'),
  sides: process.env.BENCH_SIDES?.split(','),
  /** The separate API's nice value (service-processes.ts: as docker-compose's CPU weights). */
  apiNice: niceFrom(process.env.BENCH_API_NICE ?? '-9'),
};
const markdownPath = process.argv.includes('--markdown') ? process.argv[process.argv.indexOf('--markdown') + 1] : undefined;
const adminKey = 'bench-admin-key-0123456789';
const taskQueue = 'webhooks-bench';
const processesSide = 'service as separate API and worker processes, REST publish';
/** Set here so the parked scenario's worker process can read the service's webhook secrets. */
const encryptionKey = randomBytes(32).toString('base64');

async function main(): Promise<void> {
  installTemporalLogging(createLogger('warn'));
  // The Temporal server: TEMPORAL_ADDRESS, else an embedded dev server with `npm start`'s settings
  // (its state in a SQLite file, with the same pragmas).
  const temporalPort = process.env.TEMPORAL_ADDRESS ? undefined : await freePort();
  const devServer: DevServer | undefined = temporalPort
    ? await startTemporalDevServer({
        namespace: 'default',
        port: temporalPort,
        dataDir: mkdtempSync(path.join(os.tmpdir(), 'bench-temporal-')),
        sqlitePragmas: settings.sqlitePragmas,
        log: () => undefined,
      })
    : undefined;
  const address = process.env.TEMPORAL_ADDRESS ?? devServer!.address;
  const serviceEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: adminKey,
    // The bench's publishers are one credential at many times the default rate: measured, not limited.
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    API_RATE_LIMIT_BURST: '1000000',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_ALLOW_INSECURE_URLS: 'true',
    SECRET_ENCRYPTION_KEY: encryptionKey,
  };
  const service = await startService({
    env: { ...serviceEnv, TEMPORAL_TASK_QUEUE: taskQueue, PORT: '0' },
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'bench-service-')),
    print: () => undefined,
  });
  const sides = sideNames.filter(
    (name) => (!settings.sides || settings.sides.some((wanted) => name.includes(wanted))) && (name !== processesSide || process.env.DATABASE_URL),
  );
  // The service as production runs it, on the same database (a schema of its own) and its own task queue.
  const measuresProcesses = sides.includes(processesSide) && settings.scenarios.some((name) => name !== 'parked');
  const processes = measuresProcesses
    ? await startServiceProcesses({ ...serviceEnv, DATABASE_URL: process.env.DATABASE_URL!, TEMPORAL_TASK_QUEUE: `${taskQueue}-processes` }, settings.apiNice)
    : undefined;
  const bareWorker = await startBareWorker(address);
  const load = await startLoadProcess({
    temporalAddress: address,
    apiUrl: service.apiUrl,
    adminApiKey: service.adminApiKey,
    taskQueue,
    processesApiUrl: processes?.apiUrl,
  });
  const rows: Row[] = [];
  let parkedReport = '';
  try {
    const serviceAudiences = await audiences(service, load.url);
    const processesAudiences = processes && (await audiences({ apiUrl: processes.apiUrl, adminApiKey: adminKey }, load.url));
    for (const scenario of settings.scenarios.filter((name) => name !== 'parked')) {
      const rounds = new Map<string, Measured[]>(sides.map((side) => [side, []]));
      for (let round = 1; round <= settings.rounds; round++) {
        // Every other round the other way round: a machine that speeds up or slows down while the
        // scenario runs (this one is shared) then weighs on every side alike.
        for (const side of round % 2 ? sides : [...sides].reverse()) {
          const apart = side === processesSide;
          const request = { scenario, ...(apart ? processesAudiences! : serviceAudiences), tag: `b${randomBase62(8)}`, ...settings };
          rounds.get(side)!.push(await measure(temporalPort, load.pid, apart ? processes!.pids : [], () => load.run(side, request)));
          console.error(`${scenario}: ${side} done${settings.rounds > 1 ? ` (round ${round} of ${settings.rounds})` : ''}`);
        }
      }
      for (const side of sides) rows.push({ scenario, side, ...pooled(rounds.get(side)!) });
    }
    if (settings.scenarios.includes('parked')) {
      // Last, with the separate processes (and, once it has registered the webhooks, the service)
      // stopped: the parked worker's RSS is read on a machine no busier than it is.
      await processes?.stop();
      parkedReport = await parkedScenario(address, load, service);
    }
  } finally {
    await load.close();
    await bareWorker.close();
    await processes?.stop();
    await service.stop();
    await devServer?.stop();
  }
  const report = formatReport(rows, {
    code: measuredCode(),
    cores: os.cpus().length,
    database: process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite',
    temporal: process.env.TEMPORAL_ADDRESS
      ? `Temporal at TEMPORAL_ADDRESS`
      : `embedded dev server, SQLite file, pragmas: ${settings.sqlitePragmas.join(', ') || "SQLite's defaults"}; ${devServerDynamicConfig.join(', ')}`,
    settings: `${settings.rounds > 1 ? `${settings.rounds} rounds of each scenario, the sides in turn (every other round in reverse order), each row pooling its side's rounds; ` : ''}burst ${settings.burstEvents} events from ${settings.concurrency} publishers; serial ${settings.serialEvents}; fan-out 1 event to ${settings.fanOut} webhooks; publish under load: the burst's events from as many publishers, each publishing once every ${settings.pacingMs} ms, while a fan-out runs${processesPriority(processes)}`,
  });
  console.log(report + parkedReport);
  if (markdownPath) writeFileSync(markdownPath, withReport(existsSync(markdownPath) ? readFileSync(markdownPath, 'utf8') : '', report + parkedReport));
}

/** How the separate processes' API was prioritised, as docker-compose's CPU weights do (service-processes.ts). */
function processesPriority(processes: ServiceProcesses | undefined): string {
  if (!processes) return '';
  const nice = processes.apiNice === undefined ? 'at the default priority' : `at nice ${processes.apiNice}`;
  return `. Separate processes: the API ${nice}, the worker at the default (docker-compose: the API's cpu_shares 8192, the others 1024)`;
}

/** The commit this run measured, and whether the tree had changes beyond it. */
function measuredCode(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(__dirname, '..'), encoding: 'utf8' }).trim();
    return `commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

const reportStart = '<!-- bench report: written by `npm run bench -- --markdown docs/performance.md` -->';
const reportEnd = '<!-- end of bench report -->';

/** The document with its bench report replaced (between the two markers), or the report alone. */
function withReport(document: string, report: string): string {
  const start = document.indexOf(reportStart);
  const end = document.indexOf(reportEnd);
  const block = `${reportStart}\n${report}${reportEnd}`;
  return start >= 0 && end > start ? document.slice(0, start) + block + document.slice(end + reportEnd.length) : `${block}\n`;
}

/** Where a service's REST API answers, with its admin key. */
type ServiceApi = Pick<RunningService, 'apiUrl' | 'adminApiKey'>;

/** The scenarios' audiences, registered with one service: one webhook, and the fan-out's when a scenario needs it. */
async function audiences(service: ServiceApi, baseUrl: string): Promise<{ single: Audience; wide?: Audience }> {
  const needsWide = settings.scenarios.some((scenario) => scenario === 'fan-out' || scenario === 'publish-under-load');
  const single = await audience(service, baseUrl, 1, 'single');
  return { single, wide: needsWide ? await audience(service, baseUrl, settings.fanOut, 'wide') : undefined };
}

/** An integration whose `size` webhooks point at the receiver, one URL each. */
async function audience(service: ServiceApi, baseUrl: string, size: number, name: string): Promise<Audience> {
  const call = async (route: string, token: string, body: unknown) => {
    const res = await fetch(`${service.apiUrl}/api/v1${route}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const integration = await call('/admin/integrations', service.adminApiKey, { name: `bench ${name}` });
  const urls = Array.from({ length: size }, (_, i) => `${baseUrl}?${name}=${i}`);
  for (const url of urls) await call('/integration/webhook-events', integration.token, { url, events: ['supplier.created'] });
  return { urls, integrationId: integration.id };
}

/** Deliveries parked in backoff on the service's worker in a process of its own, with its RSS. */
async function parkedScenario(address: string, load: LoadProcess, service: RunningService): Promise<string> {
  if (!process.env.DATABASE_URL) return '\nParked: skipped (its worker runs in a process of its own, which needs DATABASE_URL).\n';
  const failing = await audience(service, load.failingUrl, settings.fanOut, 'parked');
  // Done with the service: the parked worker (a task queue of its own, whose deliveries only it
  // claims) is measured without it beside.
  await service.stop();
  const result = await parked({
    temporalAddress: address,
    databaseUrl: process.env.DATABASE_URL,
    encryptionKey,
    failing,
    checkpoints: settings.parked,
    tag: `p${randomBase62(8)}`,
  });
  return `\nParked: the service's worker in its own process (\`npm run worker\`), retries 10 minutes away, ${settings.fanOut} failing webhooks.\n\n${formatParked(result)}`;
}

type Measured = Timings & { peakRssMiB: number; cpu: CpuReading; eventLoopDelayP99Ms: number };

/**
 * One side's rounds of a scenario as one: deliveries over the seconds they took, every latency and
 * acknowledgement, the CPU of all rounds, and the highest RSS and event loop delay of any round.
 */
function pooled(rounds: Measured[]): Measured {
  const sum = (of: (m: Measured) => number) => rounds.reduce((total, m) => total + of(m), 0);
  return {
    deliveries: sum((m) => m.deliveries),
    seconds: sum((m) => m.seconds),
    latencies: rounds.flatMap((m) => m.latencies),
    acks: rounds.flatMap((m) => m.acks),
    peakRssMiB: Math.max(...rounds.map((m) => m.peakRssMiB)),
    cpu: { benchProcess: sum((m) => m.cpu.benchProcess), load: sum((m) => m.cpu.load), temporal: sum((m) => m.cpu.temporal), postgres: sum((m) => m.cpu.postgres) },
    eventLoopDelayP99Ms: Math.max(...rounds.map((m) => m.eventLoopDelayP99Ms)),
  };
}

/**
 * Runs a scenario, sampling the service's RSS (this process's, or the sum of `servicePids`) and
 * the CPU each component used meanwhile.
 */
async function measure(
  temporalPort: number | undefined,
  loadPid: number,
  servicePids: number[],
  run: () => Promise<Timings>,
): Promise<Measured> {
  const rssMiB = () => (servicePids.length ? servicePids.reduce((sum, pid) => sum + processRssMiB(pid), 0) : process.memoryUsage().rss / 1024 / 1024);
  let peakMiB = rssMiB();
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, rssMiB())), 100);
  // Everything in this process answers late by as much as its event loop is late.
  const eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  eventLoopDelay.enable();
  const before = readCpu(temporalPort, loadPid, servicePids);
  try {
    const timings = await run();
    // Not measured in the separate processes.
    const eventLoopDelayP99Ms = servicePids.length ? NaN : eventLoopDelay.percentile(99) / 1e6;
    return { ...timings, peakRssMiB: peakMiB, cpu: cpuSince(before, readCpu(temporalPort, loadPid, servicePids)), eventLoopDelayP99Ms };
  } finally {
    clearInterval(sampler);
    eventLoopDelay.disable();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
