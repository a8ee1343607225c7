import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpSender, type HttpSender } from '../../src/activities/http-sender';
import { freePort } from '../helpers/ports';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A webhook receiver on 127.0.0.1 that records what reaches it. */
interface Receiver {
  port: number;
  url(path?: string): string;
  connections: number;
  requests: Received[];
  close(): Promise<void>;
}

async function startReceiver(respond: (res: ServerResponse, received: Received) => void): Promise<Receiver> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      receiver.requests.push(received);
      respond(res, received);
    });
  });
  server.on('connection', () => receiver.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    connections: 0,
    requests: [],
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

const reply = (status: number, text = '', headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(status, headers);
  res.end(text);
};

const post = (url: string, body = '{"event":"supplier.created"}') => ({ url, headers: { 'Content-Type': 'application/json' }, body });

let receivers: Receiver[] = [];
let senders: HttpSender[] = [];

async function receiver(respond: (res: ServerResponse, received: Received) => void): Promise<Receiver> {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

function sender(options: Partial<Parameters<typeof createHttpSender>[0]> = {}): HttpSender {
  const created = createHttpSender({ allowPrivateTargets: true, timeoutMs: 5000, ...options });
  senders.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(senders.map((s) => s.close()));
  await Promise.all(receivers.map((r) => r.close()));
  senders = [];
  receivers = [];
});

describe('http sender against a receiver', () => {
  it('succeeds on 2xx and keeps exactly the first 1024 bytes of the answer', async () => {
    const target = await receiver(reply(200, 'a'.repeat(3000)));
    const before = Date.now();
    const result = await sender().send(post(target.url()));
    expect(result).toEqual({
      ok: true,
      startedAt: expect.any(String),
      durationMs: expect.any(Number),
      statusCode: 200,
      errorClass: null,
      errorMessage: null,
      responseExcerpt: 'a'.repeat(1024),
      retryAfterMs: null,
    });
    expect(Date.parse(result.startedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(new Date(result.startedAt).toISOString()).toBe(result.startedAt);
  });

  it('counts any 2xx as success', async () => {
    const target = await receiver(reply(204));
    expect(await sender().send(post(target.url()))).toMatchObject({ ok: true, statusCode: 204, responseExcerpt: '' });
  });

  it('POSTs exactly the given bytes and headers', async () => {
    const target = await receiver(reply(200));
    const body = JSON.stringify({ event: 'supplier.created', data: { name: 'Müller ✓ 日本' } });
    const headers = { 'Content-Type': 'application/json', 'User-Agent': 'EUDR-Platform-Webhook/1.0', 'X-Webhook-Attempt': '2' };
    await sender().send({ url: target.url('/in/hook?tenant=1'), headers, body });

    expect(target.requests).toHaveLength(1);
    const [received] = target.requests;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/in/hook?tenant=1');
    expect(received.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(received.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'EUDR-Platform-Webhook/1.0',
      'x-webhook-attempt': '2',
      'content-length': String(Buffer.byteLength(body)),
    });
  });

  it('fails on 500 with the status and the answer', async () => {
    const target = await receiver(reply(500, 'database down'));
    expect(await sender().send(post(target.url()))).toMatchObject({
      ok: false,
      statusCode: 500,
      errorClass: 'http_status',
      errorMessage: 'HTTP 500',
      responseExcerpt: 'database down',
    });
  });

  it('reads the Retry-After of a 429 or 503 and says it in the error message', async () => {
    const tooMany = await receiver(reply(429, 'slow down', { 'Retry-After': '7' }));
    expect(await sender().send(post(tooMany.url()))).toMatchObject({ ok: false, statusCode: 429, errorMessage: 'HTTP 429, Retry-After: 7', retryAfterMs: 7000 });
    const unavailable = await receiver(reply(503, '', { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() }));
    const result = await sender().send(post(unavailable.url()));
    expect(result.retryAfterMs).toBeGreaterThan(55_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(60_000);
    const failing = await receiver(reply(500, '', { 'Retry-After': '7' }));
    expect(await sender().send(post(failing.url()))).toMatchObject({ errorMessage: 'HTTP 500', retryAfterMs: null });
  });

  it.each([301, 302, 307, 308])('counts a %i redirect as failure and does not follow it', async (status) => {
    const elsewhere = await receiver(reply(200));
    const target = await receiver(reply(status, '', { Location: elsewhere.url('/moved') }));
    const result = await sender().send(post(target.url()));
    expect(result).toMatchObject({ ok: false, statusCode: status, errorClass: 'http_status', errorMessage: `HTTP ${status}` });
    expect(elsewhere.connections).toBe(0);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('times out when the receiver never answers', async () => {
    const target = await receiver(() => {});
    const result = await sender({ timeoutMs: 300 }).send(post(target.url()));
    expect(result).toMatchObject({ ok: false, statusCode: null, errorClass: 'timeout', errorMessage: 'no complete response within 300 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('times out when the body never finishes, even after a 200', async () => {
    const target = await receiver((res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const drip = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(drip));
    });
    const result = await sender({ timeoutMs: 300 }).send(post(target.url()));
    expect(result).toMatchObject({ ok: false, statusCode: 200, errorClass: 'timeout' });
    expect(result.errorMessage).toMatch(/^no complete response within 300 ms/);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('stops reading an endless fast body and still records the answer', async () => {
    const target = await receiver((res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'z');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const result = await sender({ timeoutMs: 5000 }).send(post(target.url()));
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseExcerpt: 'z'.repeat(1024) });
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('aborts the request when its cancellation signal fires, and says so', async () => {
    let closed = false;
    const target = await receiver((res) => res.on('close', () => void (closed = true)));
    const cancel = new AbortController();
    const sending = sender().send(post(target.url()), cancel.signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    cancel.abort();
    expect(await sending).toMatchObject({ ok: false, statusCode: null, errorClass: 'network_error', errorMessage: 'request aborted: the delivery was cancelled' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(true);
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    const result = await sender().send(post(`http://127.0.0.1:${port}/hook`));
    expect(result).toMatchObject({ ok: false, statusCode: null, errorClass: 'connection_refused' });
    expect(result.errorMessage).toMatch(/ECONNREFUSED/);
  });

  it('reports a connection closed without an answer', async () => {
    const target = await receiver((res) => res.socket?.destroy());
    expect(await sender().send(post(target.url()))).toMatchObject({ ok: false, statusCode: null, errorClass: 'connection_reset' });
  });

  it('reports a failed TLS handshake', async () => {
    const target = await receiver(reply(200));
    const result = await sender().send(post(`https://127.0.0.1:${target.port}/hook`));
    expect(result).toMatchObject({ ok: false, statusCode: null, errorClass: 'tls_error' });
    expect(result.errorMessage).toMatch(/^TLS handshake failed: wrong version number/);
  });

  it.each(['not a url', 'ftp://127.0.0.1/hook'])('reports %j as an invalid URL', async (url) => {
    expect(await sender().send(post(url))).toMatchObject({ ok: false, errorClass: 'invalid_url' });
  });

  it('reuses one keep-alive connection across attempts', async () => {
    const target = await receiver(reply(200, 'ok'));
    const shared = sender();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await shared.send(post(target.url()))).ok).toBe(true);
      // undici frees a connection for reuse one event-loop turn after the response ends; in the
      // worker, attempts are always further apart than that (each is its own activity task).
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(target.requests).toHaveLength(3);
    expect(target.connections).toBe(1);
  });
});

describe('http sender refusing non-public targets', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['localhost', 'local host name'],
  ])('refuses http://%s without connecting', async (host, kind) => {
    const target = await receiver(reply(200));
    const result = await sender({ allowPrivateTargets: false }).send(post(`http://${host}:${target.port}/hook`));
    expect(result).toMatchObject({ ok: false, statusCode: null, errorClass: 'blocked_target', responseExcerpt: null });
    expect(result.errorMessage).toMatch(/^refused to connect to /);
    expect(result.errorMessage).toContain(kind);
    expect(result.errorMessage).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS=true');
    expect(target.connections).toBe(0);
  });

  it('refuses a name that resolves to loopback, at lookup, without connecting', async () => {
    const target = await receiver(reply(200));
    const resolve = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
    const result = await sender({ allowPrivateTargets: false, resolve }).send(post(`http://evil.example:${target.port}/hook`));
    expect(resolve).toHaveBeenCalledWith('evil.example');
    expect(result).toMatchObject({ ok: false, errorClass: 'blocked_target' });
    expect(result.errorMessage).toBe(
      'refused to connect to 127.0.0.1 for evil.example (loopback address; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true for development)',
    );
    expect(target.connections).toBe(0);
  });

  it('reports a name that does not resolve as a DNS error', async () => {
    const resolve = async (hostname: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    const result = await sender({ allowPrivateTargets: false, resolve }).send(post('https://nowhere.example/hook'));
    expect(result).toMatchObject({ ok: false, errorClass: 'dns_error', errorMessage: 'getaddrinfo ENOTFOUND nowhere.example' });
  });
});
