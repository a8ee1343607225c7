import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Agent, request } from 'undici';
import { createPublisher } from '../src/client';
import type { RunningService } from '../src/main';
import { createBareActivities } from './bare/activities';

/** Who a scenario's events go to: receiver URLs, registered as the webhooks of one integration. */
export interface Audience {
  urls: string[];
  integrationId: string;
}

/** One way of getting an event to its audience; `publish` resolves once the event is acknowledged. */
export interface Side {
  name: string;
  publish(id: string, audience: Audience): Promise<void>;
  close(): Promise<void>;
}

/** The body every side sends for bench event `id`: the service's payload shape. */
export const benchData = (id: string) => ({ externalId: id, internalId: 'bench' });

/** The floor: plain HTTP POSTs to the receiver, one per URL, no Temporal. */
export function rawSide(): Side {
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

/** Bare Temporal: one workflow with one HTTP POST activity per delivery, on a minimal worker in this process. */
export async function bareSide(address: string): Promise<Side> {
  const agent = new Agent({ connections: 64 });
  const workerConnection = await NativeConnection.connect({ address });
  const taskQueue = 'bench-bare';
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowsPath: require.resolve('./bare/workflows'),
    activities: createBareActivities(agent),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    name: 'bare Temporal',
    publish: async (id, { urls }) => {
      const body = JSON.stringify({ event: 'supplier.created', data: benchData(id) });
      await Promise.all(
        urls.map((url, i) => client.workflow.start('bareDelivery', { workflowId: `bare-${id}-${i}`, taskQueue, args: [url, body] })),
      );
    },
    close: async () => {
      worker.shutdown();
      await running;
      await Promise.all([workerConnection.close(), connection.close(), agent.close()]);
    },
  };
}

/** The service, publishing over REST with the admin key. */
export function serviceRestSide(service: RunningService): Side {
  const agent = new Agent({ connections: 64 });
  return {
    name: 'service, REST publish',
    publish: async (id, { integrationId }) => {
      const res = await request(`${service.apiUrl}/api/v1/admin/events`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${service.adminApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ integrationId, event: 'supplier.created', data: benchData(id), id: `evt_${id}` }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`publish answered ${res.statusCode}: ${text}`);
    },
    close: () => agent.close(),
  };
}

/** The service, publishing with the TypeScript publisher (a producer's own Temporal client). */
export async function servicePublisherSide(service: RunningService, taskQueue: string): Promise<Side> {
  const connection = await Connection.connect({ address: service.temporalAddress });
  const publisher = createPublisher({ client: new Client({ connection }), taskQueue });
  return {
    name: 'service, TypeScript publisher',
    publish: async (id, { integrationId }) => {
      await publisher.publish({ integrationId, event: 'supplier.created', data: benchData(id), id: `evt_${id}` });
    },
    close: () => connection.close(),
  };
}
