import { connect } from 'node:net';
import express from 'express';
import { boundPort, closeServer, listen, serverTimeouts } from '../../src/http/server';

const app = express().get('/', (_req, res) => void res.send('ok'));

describe('listen', () => {
  it('sets the server timeouts', async () => {
    const server = await listen(app, 0);
    try {
      expect(server.headersTimeout).toBe(serverTimeouts.headersTimeout);
      expect(server.requestTimeout).toBe(serverTimeouts.requestTimeout);
      expect(server.keepAliveTimeout).toBe(serverTimeouts.keepAliveTimeout);
      expect(serverTimeouts.headersTimeout).toBeLessThanOrEqual(serverTimeouts.requestTimeout);
    } finally {
      await closeServer(server);
    }
  });

  it('answers 408 and closes a connection whose headers never finish (slowloris)', async () => {
    const server = await listen(app, 0, { headersTimeout: 300, requestTimeout: 300, keepAliveTimeout: 300, checkEveryMs: 100 });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(boundPort(server), '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: '));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
        setTimeout(() => reject(new Error('the server kept the connection open')), 10_000).unref();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await closeServer(server);
    }
  });
});
