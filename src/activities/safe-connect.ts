import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
import { bareHostname, isLiteralPrivateHost, isPublicAddress } from '../domain/target-check';

/** Resolves a host name to all its addresses; injectable so tests need no real DNS. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

/** Raised instead of connecting to a non-public address; the sender reports it as `blocked_target`. */
export class BlockedTargetError extends Error {
  readonly code = 'ERR_BLOCKED_TARGET';

  constructor(
    readonly address: string,
    readonly hostname?: string,
  ) {
    const name = hostname && bareHostname(hostname) !== address ? ` for ${hostname}` : '';
    super(`refused to connect to ${address}${name} (${describe(address)}; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true for development)`);
    this.name = 'BlockedTargetError';
  }
}

function describe(address: string): string {
  if (!ipaddr.isValid(address)) return 'local host name';
  const range = ipaddr.process(address).range();
  return `${range.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} address`;
}

/**
 * A `lookup` for net/tls.connect that fails with BlockedTargetError when any address of the name
 * is not public. Net connects only to addresses this returns, so a DNS answer cannot point the
 * connection somewhere else after the check. All addresses are checked, not just the one used, so
 * a name that mixes public and private answers is refused outright.
 */
export function createSafeLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((addresses) => publicAddresses(hostname, addresses, options))
      .then(
        (usable) => (options.all ? callback(null, usable) : callback(null, usable[0].address, usable[0].family)),
        (error: NodeJS.ErrnoException) => callback(error, []),
      );
  };
}

function publicAddresses(hostname: string, addresses: LookupAddress[], options: LookupOptions): LookupAddress[] {
  const blocked = addresses.find(({ address }) => !isPublicAddress(address));
  if (blocked) throw new BlockedTargetError(blocked.address, hostname);
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
  const usable = family ? addresses.filter((entry) => entry.family === family) : addresses;
  if (usable.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  return usable;
}

/**
 * Wraps an undici connector so it never hands undici a socket to a non-public address: literal
 * IPs and `localhost` are refused before connecting (net.connect skips `lookup` for literal IPs),
 * and the peer address of every connected socket is checked once more before any byte is written.
 */
export function guardConnector(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    if (isLiteralPrivateHost(options.hostname)) {
      // Asynchronously, like every other connect failure.
      process.nextTick(callback, new BlockedTargetError(bareHostname(options.hostname)), null);
      return;
    }
    connect(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('connector returned no socket'), null);
      const address = socket.remoteAddress;
      if (address !== undefined && isPublicAddress(address)) return callback(null, socket);
      socket.destroy();
      const refusal = address === undefined
        ? Object.assign(new Error(`connection to ${options.hostname} closed right after connecting`), { code: 'ECONNRESET' })
        : new BlockedTargetError(address, options.hostname);
      callback(refusal, null);
    });
  };
}

/** The connector for production: public targets only, checked at lookup and after connecting. */
export function createSafeConnector({ timeoutMs, resolve, ca }: { timeoutMs: number; resolve?: Resolver; ca?: string[] }): buildConnector.connector {
  return guardConnector(buildConnector({ timeout: timeoutMs, lookup: createSafeLookup(resolve), ca }));
}
