import { isIP, isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The address a request's limits are counted under: the caller's (see
 * `callerAddress`), where an IPv6 address counts as its /64, which one
 * subscriber usually holds whole; an IPv4-mapped one as its IPv4 address.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  return addressKey(callerAddress(req, trustedProxies));
}

/**
 * The address a request came from: the connection's peer, or with
 * `trustedProxies` (N) proxies in front, each appending to
 * X-Forwarded-For the address it saw, the rightmost entry none of them
 * wrote: the N-th from the right, the one the farthest proxy appended.
 * Entries left of it are the client's own and never taken. A header with
 * fewer than N entries came past fewer proxies than there are (the caller
 * may have written every entry), and an entry that is not an IP address
 * was not written by a proxy: either way the peer's address counts, so a
 * client can neither choose its address nor make up new ones.
 * `Forwarded` is not read.
 */
export function callerAddress(req: IncomingMessage, trustedProxies: number): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return address;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((entry) => entry.trim());
  const entry = forwarded.length >= trustedProxies ? forwarded.at(-trustedProxies) : undefined;
  return entry !== undefined && isIP(entry) !== 0 ? entry : address;
}

export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back] : front;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
