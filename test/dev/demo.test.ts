import type { Server } from 'node:http';
import { runDemo } from '../../src/dev/demo';
import { boundPort, closeServer, listen } from '../../src/http/server';
import { allowLocalReceivers, adminKey, createTestApp, type TestApp } from '../helpers/app';

describe('npm run demo', () => {
  let t: TestApp;
  let server: Server;
  beforeAll(async () => {
    t = await createTestApp({ worker: true, env: allowLocalReceivers });
    server = await listen(t.app, 0);
  });
  afterAll(async () => {
    await closeServer(server);
    await t.close();
  });

  it('publishes events of every type and prints each attempt and delivery, then the links', async () => {
    const lines: string[] = [];
    const apiUrl = `http://127.0.0.1:${boundPort(server)}`;
    const { webhookId, deliveries } = await runDemo({ apiUrl, adminKey, temporalUiUrl: 'http://localhost:8233', print: (l) => lines.push(l) });

    expect(deliveries).toHaveLength(6);
    expect(new Set(deliveries.map((d) => d.eventType))).toEqual(new Set(['supplier.created', 'supplier.updated', 'sync.completed']));
    expect(deliveries.filter((d) => d.status === 'failed')).toHaveLength(1);
    expect(deliveries.filter((d) => d.status === 'delivered')).toHaveLength(5);
    const output = lines.join('\n');
    for (const d of deliveries) {
      expect(output).toContain(`${d.id} ${d.status.toUpperCase()} after ${d.attempts.length} attempt(s)`);
      for (const a of d.attempts) expect(output).toContain(`${d.id} #${a.attempt}:`);
    }
    expect(output).toMatch(/http_status: HTTP 503/);
    expect(output).toContain(`Platform UI:      ${apiUrl}/`);
    expect(output).toContain(`http://localhost:8233/namespaces/default/workflows?query=${encodeURIComponent(`WebhookId="${webhookId}"`)}`);
  });

  it('says how to start the service when it refuses the local receiver', async () => {
    const strict = await createTestApp();
    const strictServer = await listen(strict.app, 0);
    try {
      await expect(
        runDemo({ apiUrl: `http://127.0.0.1:${boundPort(strictServer)}`, adminKey, temporalUiUrl: 'http://localhost:8233', print: () => undefined }),
      ).rejects.toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS=true WEBHOOK_ALLOW_INSECURE_URLS=true npm start/);
    } finally {
      await closeServer(strictServer);
      await strict.close();
    }
  });
});
