import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ServerTimeouts {
  /** To receive a request's headers. */
  headersTimeout: number;
  /** To receive a whole request (a body of up to 1 MiB included). */
  requestTimeout: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeout: number;
  /** How often the server looks for requests past their time. */
  checkEveryMs: number;
}

/** Clients that trickle (slowloris) or idle do not hold connections for long. */
export const serverTimeouts: ServerTimeouts = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, checkEveryMs: 1_000 };

/** Starts listening; resolves once the port is bound. */
export function listen(app: Express, port: number, timeouts: ServerTimeouts = serverTimeouts): Promise<Server> {
  const server = createServer(
    { headersTimeout: timeouts.headersTimeout, requestTimeout: timeouts.requestTimeout, connectionsCheckingInterval: timeouts.checkEveryMs },
    app,
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeout;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export const boundPort = (server: Server) => (server.address() as AddressInfo).port;

/** Stops accepting connections and lets requests in progress finish. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
