import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Agent, request } from 'undici';
import { createPublisher } from '../src/client';
import { createBareActivities } from './bare/activities';

/** Who a scenario's events go to: receiver URLs, registered as the webhooks of one integration. */
export interface Audience {
  urls: string[];
  integrationId: string;
}

/** The sides, in the report's order. */
export const sideNames = [
  'raw HTTP (floor)',
  'bare Temporal',
  'service, REST publish',
  'service, TypeScript publisher',
  'service as separate API and worker processes, REST publish',
] as const;
export type SideName = (typeof sideNames)[number];

/** How a side's publishers reach it, from the load process. */
export interface Targets {
  temporalAddress: string;
  apiUrl: string;
  adminApiKey: string;
  /** The service's task queue, for the TypeScript publisher. */
  taskQueue: string;
  /** The API of the service running as separate processes (bench/service-processes.ts), when it runs. */
  processesApiUrl?: string;
}

/** One way of getting an event to its audience; `publish` resolves once the event is acknowledged. */
export interface Side {
  name: SideName;
  publish(id: string, audience: Audience): Promise<void>;
  close(): Promise<void>;
}

/** The body every side sends for bench event `id`: the service's payload shape. */
export const benchData = (id: string) => ({ externalId: id, internalId: 'bench' });

export const bareTaskQueue = 'bench-bare';

/** A side's publisher, in the load process. */
export async function createSide(name: SideName, targets: Targets): Promise<Side> {
  if (name === 'raw HTTP (floor)') return rawSide();
  if (name === 'bare Temporal') return bareSide(targets.temporalAddress);
  if (name === 'service, REST publish') return serviceRestSide(name, targets.apiUrl, targets.adminApiKey);
  if (name === 'service, TypeScript publisher') return servicePublisherSide(targets);
  if (!targets.processesApiUrl) throw new Error(`${name}: not running (it needs DATABASE_URL)`);
  return serviceRestSide(name, targets.processesApiUrl, targets.adminApiKey);
}

/** The floor: plain HTTP POSTs to the receiver, one per URL, no Temporal. */
function rawSide(): Side {
  const agent = new Agent({ connections: 64 });
  return {
    name: 'raw HTTP (floor)',
    publish: async (id, { urls }) => {
      const body = JSON.stringify({ event: 'supplier.created', data: benchData(id) });
      await Promise.all(urls.map(async (url) => (await request(url, { dispatcher: agent, method: 'POST', body })).body.dump()));
    },
    close: () => agent.close(),
  };
}

/** Bare Temporal's publisher: a Temporal client starting one workflow per delivery (bareWorker runs them). */
async function bareSide(address: string): Promise<Side> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    name: 'bare Temporal',
    publish: async (id, { urls }) => {
      const body = JSON.stringify({ event: 'supplier.created', data: benchData(id) });
      await Promise.all(
        urls.map((url, i) => client.workflow.start('bareDelivery', { workflowId: `bare-${id}-${i}`, taskQueue: bareTaskQueue, args: [url, body] })),
      );
    },
    close: () => connection.close(),
  };
}

/** Bare Temporal's minimal worker: one workflow with one HTTP POST activity per delivery. Runs beside the service's. */
export async function startBareWorker(address: string): Promise<{ close(): Promise<void> }> {
  const agent = new Agent({ connections: 64 });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: bareTaskQueue,
    workflowsPath: require.resolve('./bare/workflows'),
    activities: createBareActivities(agent),
  });
  const running = worker.run();
  return {
    close: async () => {
      worker.shutdown();
      await running;
      await Promise.all([connection.close(), agent.close()]);
    },
  };
}

/** The service, publishing over REST with the admin key. */
function serviceRestSide(name: SideName, apiUrl: string, adminApiKey: string): Side {
  const agent = new Agent({ connections: 64 });
  return {
    name,
    publish: async (id, { integrationId }) => {
      const res = await request(`${apiUrl}/api/v1/admin/events`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${adminApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ integrationId, event: 'supplier.created', data: benchData(id), id: `evt_${id}` }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`publish answered ${res.statusCode}: ${text}`);
    },
    close: () => agent.close(),
  };
}

/** The service, publishing with the TypeScript publisher (a producer's own Temporal client). */
async function servicePublisherSide({ temporalAddress, taskQueue }: Targets): Promise<Side> {
  const connection = await Connection.connect({ address: temporalAddress });
  const publisher = createPublisher({ client: new Client({ connection }), taskQueue });
  return {
    name: 'service, TypeScript publisher',
    publish: async (id, { integrationId }) => {
      await publisher.publish({ integrationId, event: 'supplier.created', data: benchData(id), id: `evt_${id}` });
    },
    close: () => connection.close(),
  };
}
