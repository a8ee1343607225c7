import ipaddr from 'ipaddr.js';

/**
 * True only for globally routable unicast addresses. IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged
 * as the IPv4 address it carries; every special range (loopback, private, link-local, unique-local,
 * multicast, unspecified, CGNAT, documentation, NAT64, 6to4, Teredo...) is refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** A hostname from a URL, without IPv6 brackets or a trailing dot, lower-cased. */
export function bareHostname(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * True when a URL's hostname is itself a non-public target: `localhost` (and `*.localhost`) or a
 * literal IP address that is not public. Names that resolve to such addresses are refused when
 * connecting, not here.
 */
export function isLiteralPrivateHost(hostname: string): boolean {
  const host = bareHostname(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return ipaddr.isValid(host) && !isPublicAddress(host);
}
