import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether the server listens on a loopback address only (a developer's machine, a sidecar). */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The host name of a `Host` header, without its port; undefined when it names none. */
export function hostnameOf(header: string): string | undefined {
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end > 0 ? header.slice(0, end + 1).toLowerCase() : undefined;
  }
  const [name] = header.split(':');
  return name ? name.toLowerCase() : undefined;
}

/**
 * Whether a request to a server bound to loopback names a loopback host. A
 * web page the developer visits can point its own domain at 127.0.0.1 (DNS
 * rebinding) and read the server as same-origin; its requests still carry
 * that domain in `Host`, which no loopback name matches. `*.localhost`
 * always resolves to loopback (RFC 6761), so it is safe too.
 */
export function namesLoopback(header: string | undefined, bound: string): boolean {
  if (!header) return false;
  const name = hostnameOf(header);
  if (!name) return false;
  return LOOPBACK_NAMES.has(name) || name === bound || name.endsWith('.localhost') || (isIP(name) === 4 && name.startsWith('127.'));
}

/**
 * Whether a `Host` header names this machine by one of its plain loopback names (`localhost`, 127.x.y.z, `[::1]`), with
 * any port: what a request from this machine's own tools says, and what no DNS-rebound page can.
 */
export function hostIsLoopback(header: string | undefined): boolean {
  const name = header === undefined ? undefined : hostnameOf(header);
  return name !== undefined && isLoopback(name);
}
