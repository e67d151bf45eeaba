import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReplica } from '@pourover/replica';
import { startServer } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { devSignIn } from './support/devices.ts';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { pouroverDeviceApp } from '@pourover/orders';
import { collectingLogger } from './support/log-lines.ts';

describe('a device over its request rate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-rate-'));
  const realFetch = globalThis.fetch;
  afterAll(() => {
    globalThis.fetch = realFetch;
    rmSync(dir, { recursive: true, force: true });
  });

  it('is told to wait (429 with Retry-After), waits, and still ends in sync', async () => {
    const { logger, lines: log } = collectingLogger();
    const server = await startServer({
      app: pouroverApp,
      dataDir: dir,
      seed: true,
      limits: { device: { requests: { points: 3, seconds: 1 } } },
      logger,
    });
    const token = await devSignIn(server.url, 'phone');

    const burst = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${server.url}/trpc/sync.pull?input=${encodeURIComponent('{"collection":"user","checkpoint":null,"limit":1}')}`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      ),
    );
    const refused = burst.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused[0]?.json()) as { error: { data: { code: string } } }).error.data.code).toBe('RATE_LIMITED');

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const replica = await openReplica({
      app: pouroverDeviceApp,
      url: server.url,
      blessing: token,
      name: 'rate-phone',
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 250,
    });
    await replica.awaitInSync();
    expect(await replica.collections.catalog.count().exec()).toBeGreaterThanOrEqual(12);
    expect(log.filter((line) => line['status'] === 429).length).toBeGreaterThan(refused.length);
    await replica.close();
    await server.close();
  });

  it('asks for its live stream’s ticket again only after the Retry-After its refusal gave', async () => {
    const { logger, lines: log } = collectingLogger();
    const server = await startServer({
      app: pouroverApp,
      dataDir: join(dir, 'tickets'),
      seed: true,
      limits: { device: { requests: { points: 10, seconds: 2 } } },
      logger,
    });
    const token = await devSignIn(server.url, 'tablet');
    const pull = () =>
      realFetch(`${server.url}/trpc/sync.pull?input=${encodeURIComponent('{"collection":"user","checkpoint":null,"limit":1}')}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    // Just before the replica's first stream ticket is asked for, the device's budget is spent by a burst of its own calls.
    let spent = false;
    globalThis.fetch = async (input, init) => {
      if (!spent && String(input instanceof Request ? input.url : input).includes('/trpc/auth.streamTicket')) {
        spent = true;
        await Promise.all(Array.from({ length: 12 }, pull));
      }
      return realFetch(input, init);
    };
    const replica = await openReplica({
      app: pouroverDeviceApp,
      url: server.url,
      blessing: token,
      name: 'rate-tablet',
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 250,
    });
    await replica.awaitInSync();
    await replica.close();
    await server.close();
    globalThis.fetch = realFetch;

    const tickets = log.filter((line) => line['path'] === '/trpc/auth.streamTicket');
    const refused = tickets.filter((line) => line['status'] === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const refusal of refused) {
      const seconds = Number(/try again in (\d+) s/.exec(String(refusal['reason']))?.[1]);
      const after = tickets[tickets.indexOf(refusal) + 1];
      expect(seconds).toBeGreaterThanOrEqual(1);
      // The next ask is logged when it is answered, which is after it was sent; the refusal's line, before the device read it.
      expect(Date.parse(String(after?.['time'])) - Date.parse(String(refusal['time']))).toBeGreaterThanOrEqual(seconds * 1_000);
    }
  });
});
