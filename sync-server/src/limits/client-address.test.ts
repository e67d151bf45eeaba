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

  it('counts an IPv6 address as its /64 and an IPv4-mapped one as its IPv4 address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::ffff:192.0.2.4')).toBe('192.0.2.4');
  });
});
