import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOWEST = 10_000;
const RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
/** Ports handed out, one folder each, shared by every test process on the machine. */
const CLAIMS = join(tmpdir(), 'pourover-test-ports');
/** A claim older than this is from a run that ended: its port may be handed out again. */
const CLAIM_MS = 60 * 60_000;
/** Ports at or above LOWEST that the Fetch standard blocks (undici's fetch answers "bad port"), so no test may use them. */
const FETCH_BAD_PORTS = new Set([10_080]);

/**
 * Claims `port` for this test run across processes (creating its folder fails if another claimed it): a server killed
 * and started again on its port must not find it given meanwhile to a server of a test running beside it.
 */
function claim(port: number): boolean {
  const path = join(CLAIMS, String(port));
  mkdirSync(CLAIMS, { recursive: true });
  try {
    mkdirSync(path);
    return true;
  } catch {
    const claimed = statSync(path, { throwIfNoEntry: false });
    if (claimed && Date.now() - claimed.mtimeMs < CLAIM_MS) return false;
    rmSync(path, { recursive: true, force: true });
    return claim(port);
  }
}

/** The lowest port the kernel gives the local end of an outgoing connection (Linux's default where it does not say). */
function lowestEphemeralPort(): number {
  const low = existsSync(RANGE_FILE) ? Number(readFileSync(RANGE_FILE, 'utf8').trim().split(/\s+/)[0]) : NaN;
  return Number.isInteger(low) && low > 0 ? low : 32_768;
}

function listenOn(port: number): Promise<number | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's
 * ephemeral range: a server killed and started again on it never finds it
 * taken by the local end of some test's outgoing connection (which failed a
 * restart once with EADDRINUSE), nor by another test's server (claimed, which
 * failed one too).
 */
export async function freePort(): Promise<number> {
  const low = lowestEphemeralPort();
  if (low - LOWEST < 1_000) return (await listenOn(0)) ?? freePort();
  for (;;) {
    const port = await listenOn(LOWEST + Math.floor(Math.random() * (low - LOWEST)));
    if (port !== undefined && !FETCH_BAD_PORTS.has(port) && claim(port)) return port;
  }
}
