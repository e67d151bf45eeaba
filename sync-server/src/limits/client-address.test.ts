import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from './client-address.ts';

const request = (remoteAddress: string, forwarded?: string) =>
  ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('the client address a request counts under', () => {
  it('is the connection’s, and a forged X-Forwarded-For changes nothing without a trusted proxy', () => {
    expect(clientAddress(request('203.0.113.7', '198.51.100.1'), 0)).toBe('203.0.113.7');
  });

  it('behind one trusted proxy is the address that proxy saw, not what the client wrote before it', () => {
    expect(clientAddress(request('10.0.0.2', 'forged, 198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(request('10.0.0.3', 'forged, 198.51.100.9, 10.0.0.2'), 2)).toBe('198.51.100.9');
  });

  it('is the rightmost entry no trusted proxy wrote: one a client wrote itself is never taken, however short the header', async () => {
    // Two proxies configured, but the request came with one entry: it skipped a proxy, so that entry may be the client's own.
    expect(clientAddress(request('10.0.0.3', '198.51.100.66'), 2)).toBe('10.0.0.3');
    expect(clientAddress(request('10.0.0.3', ''), 2)).toBe('10.0.0.3');
    expect(clientAddress(request('10.0.0.3', undefined), 1)).toBe('10.0.0.3');
    // A client who writes many entries still counts under the one the farthest trusted proxy appended.
    expect(clientAddress(request('10.0.0.3', '1.1.1.1, 2.2.2.2, 3.3.3.3, 198.51.100.9, 10.0.0.2'), 2)).toBe('198.51.100.9');
  });

  it('is the connection’s when the entry a proxy should have written is not an address, so no made-up name opens a budget', async () => {
    expect(clientAddress(request('10.0.0.2', 'made-up-name'), 1)).toBe('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', '198.51.100.9:1234'), 1)).toBe('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', '2001:db8:1:2::7'), 1)).toBe('2001:db8:1:2::/64');
  });

  it('counts an IPv6 address as its /64 and an IPv4-mapped one as its IPv4 address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::ffff:192.0.2.4')).toBe('192.0.2.4');
  });
});
