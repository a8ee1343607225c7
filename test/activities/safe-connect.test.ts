import type { LookupAddress } from 'node:dns';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { buildConnector } from 'undici';
import { BlockedTargetError, createSafeLookup, guardConnector, type Resolver } from '../../src/activities/safe-connect';

function lookup(resolve: Resolver | undefined, hostname: string, options: { all?: boolean; family?: number } = {}) {
  return new Promise<{ address: string | LookupAddress[]; family?: number }>((ok, fail) =>
    createSafeLookup(resolve)(hostname, options, (error, address, family) => (error ? fail(error) : ok({ address, family }))),
  );
}

const resolvesTo = (...addresses: string[]): Resolver => async () =>
  addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('safe lookup', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['fd00::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrier-grade-nat'],
  ])('refuses a name resolving to %s', async (address, kind) => {
    const refusal = lookup(resolvesTo(address), 'evil.example', { all: true });
    await expect(refusal).rejects.toBeInstanceOf(BlockedTargetError);
    await expect(refusal).rejects.toMatchObject({ code: 'ERR_BLOCKED_TARGET', address, message: expect.stringContaining(`${kind} address`) });
  });

  it('refuses a name when any of its addresses is not public', async () => {
    await expect(lookup(resolvesTo('8.8.8.8', '10.0.0.5'), 'mixed.example', { all: true })).rejects.toMatchObject({ address: '10.0.0.5' });
  });

  it('passes public addresses through in both callback shapes', async () => {
    const resolve = resolvesTo('8.8.8.8', '2001:4860:4860::8888');
    expect(await lookup(resolve, 'public.example', { all: true })).toEqual({
      address: [
        { address: '8.8.8.8', family: 4 },
        { address: '2001:4860:4860::8888', family: 6 },
      ],
      family: undefined,
    });
    expect(await lookup(resolve, 'public.example')).toEqual({ address: '8.8.8.8', family: 4 });
    expect(await lookup(resolve, 'public.example', { family: 6 })).toEqual({ address: '2001:4860:4860::8888', family: 6 });
  });

  it('passes resolver failures through', async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN slow.example'), { code: 'EAI_AGAIN' });
    };
    await expect(lookup(resolve, 'slow.example')).rejects.toMatchObject({ code: 'EAI_AGAIN' });
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(lookup(undefined, 'localhost', { all: true })).rejects.toMatchObject({ code: 'ERR_BLOCKED_TARGET', message: expect.stringContaining('loopback') });
  });
});

describe('guarded connector', () => {
  let server: Server;
  let sockets: Socket[];
  let port: number;

  beforeEach(async () => {
    sockets = [];
    server = createServer((socket) => {
      sockets.push(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  const connect = (connector: buildConnector.connector, hostname: string) =>
    new Promise<Error | null>((resolve) =>
      connector({ hostname, host: `${hostname}:${port}`, protocol: 'http:', port: String(port) }, (error, socket) => {
        socket?.destroy();
        resolve(error);
      }),
    );

  it('refuses a literal private host without calling the underlying connector', async () => {
    const base = jest.fn();
    const error = await connect(guardConnector(base), '10.1.2.3');
    expect(error).toBeInstanceOf(BlockedTargetError);
    expect(error).toMatchObject({ address: '10.1.2.3' });
    expect(base).not.toHaveBeenCalled();
  });

  it('checks the address actually connected to, whatever the name said', async () => {
    // A connector that ignores the name and lands on loopback, as a DNS rebinding would.
    const real = buildConnector({});
    const rebinding: buildConnector.connector = (options, callback) => real({ ...options, hostname: '127.0.0.1' }, callback);
    const error = await connect(guardConnector(rebinding), 'public.example');
    expect(error).toBeInstanceOf(BlockedTargetError);
    expect(error?.message).toBe(
      'refused to connect to 127.0.0.1 for public.example (loopback address; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true for development)',
    );
    // The TCP connection was made (that is what is checked), but not a byte was written to it.
    const accepted = sockets[0] ?? (await new Promise<Socket>((resolve) => server.once('connection', resolve)));
    await new Promise((resolve) => (accepted.closed ? resolve(null) : accepted.once('close', resolve)));
    expect(accepted.bytesRead).toBe(0);
    expect(sockets).toHaveLength(1);
  });
});
