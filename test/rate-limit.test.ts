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
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
});
