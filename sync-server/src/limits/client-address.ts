import { isIPv6 } from 'node:net';
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
 * `trustedProxies` proxies in front, the address the farthest of them saw
 * (the header's entries added by clients are not trusted).
 */
export function callerAddress(req: IncomingMessage, trustedProxies: number): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return address;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded.at(-trustedProxies) ?? forwarded[0] ?? address;
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
