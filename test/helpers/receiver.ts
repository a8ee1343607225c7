import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body bytes as UTF-8 text. */
  body: string;
  receivedAt: number;
  /** Set when the sender closed the connection before the answer was sent. */
  abortedAt?: number;
}

/** How to answer the nth request (1-based): a status, or 'hang' to never answer. */
export type Reply = number | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'hang';

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Changes how later requests are answered. */
  reply(fn: (request: ReceivedRequest, n: number) => Reply): void;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Serve HTTPS with this key and certificate (PEM); the URL is then https://localhost:port/hook. */
  tls?: { key: string; cert: string };
}

/** A real HTTP (or HTTPS) receiver on 127.0.0.1 that records every request. */
export async function startReceiver(
  reply: (request: ReceivedRequest, n: number) => Reply = () => 200,
  options: ReceiverOptions = {},
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let answer = reply;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      requests.push(request);
      res.on('close', () => {
        if (!res.writableFinished) request.abortedAt = Date.now();
      });
      const r = answer(request, requests.length);
      if (r === 'hang') return;
      const { status, body = '', headers = {}, delayMs = 0 } = typeof r === 'number' ? { status: r } : r;
      setTimeout(() => res.writeHead(status, headers).end(body), delayMs);
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: options.tls ? `https://localhost:${port}/hook` : `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    reply: (fn) => void (answer = fn),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
