import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which delivery a request is: the bench id (the payload's `data.externalId`) and the URL path it came to. */
export const receiptKey = (id: string, url: string) => {
  const { pathname, search } = new URL(url, 'http://receiver');
  return `${id} ${pathname}${search}`;
};

/** Receipts by receiptKey, with when each arrived. */
export interface BenchReceiver {
  url: string;
  /** A URL (under /fail) this receiver always answers 500. */
  failingUrl: string;
  /** Waits until the deliveries `keys` name have all arrived (or `timeoutMs` passed); returns their receipt times. */
  receipts(keys: string[], timeoutMs?: number): Promise<Map<string, number>>;
  /** Answers every request with this status from now on (200 by default). */
  answer(status: number): void;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 that answers at once (500 under /fail) and notes when each delivery arrived (first arrival). */
export async function startBenchReceiver(): Promise<BenchReceiver> {
  const arrived = new Map<string, number>();
  const waiters = new Set<() => void>();
  let status = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { externalId?: string } }).data?.externalId;
      const key = id && receiptKey(id, req.url ?? '/');
      if (key && !arrived.has(key)) arrived.set(key, performance.now());
      res.writeHead(req.url?.startsWith('/fail') ? 500 : status).end();
      for (const wake of waiters) wake();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    failingUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fail`,
    async receipts(keys, timeoutMs = 10 * 60_000) {
      const deadline = performance.now() + timeoutMs;
      while (!keys.every((key) => arrived.has(key)) && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 200);
        });
      }
      return new Map(keys.filter((key) => arrived.has(key)).map((key) => [key, arrived.get(key)!]));
    },
    answer: (next) => void (status = next),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
