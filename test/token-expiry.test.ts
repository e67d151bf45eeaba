import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReplica } from '@pourover/replica';
import { createSyncClient, DeviceCredentials, memoryDeviceStore } from '@pourover/sync-client';
import { startServer } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { draftOrder } from './support/documents.ts';
import { collectingLogger } from './support/log-lines.ts';
import { TcpLink } from './support/tcp-link.ts';
import { waitFor } from './support/wait-for.ts';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { pouroverDeviceApp } from '@pourover/orders';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

describe('a device whose access token expired while it was offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-expiry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refreshes with its key when back, and pushes the writes it made offline', async () => {
    const { logger, lines: log } = collectingLogger();
    const server = await startServer({ app: pouroverApp, dataDir: dir, seed: true, accessTokenSeconds: 2, logger });
    const credentials = await DeviceCredentials.open({
      store: memoryDeviceStore(),
      client: (token) => createSyncClient({ url: server.url, token }),
      signIn: (publicKey) => createSyncClient({ url: server.url, token: () => '' }).auth.devSignIn.mutate({ device: 'phone', publicKey }),
    });
    const firstToken = credentials.token();
    const link = await TcpLink.open(server);
    const replica = await openReplica({
      app: pouroverDeviceApp,
      url: link.url,
      blessing: credentials,
      name: 'expiry-phone',
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 250,
    });
    await replica.awaitInSync();

    link.unplug();
    const drafts = ['one', 'two', 'three'].map((note) => draftOrder(note));
    for (const draft of drafts) await replica.collections.draftOrders.insert(draft);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    link.plug();

    await waitFor('the offline drafts on the server', async () => {
      const found = await Promise.all(drafts.map((draft) => server.store.get(REPLICA, 'draftOrders', draft.id)));
      return found.every((stored) => stored !== null);
    });
    expect(credentials.token()).not.toBe(firstToken);
    expect(log.some((line) => line['path'] === '/trpc/auth.refresh' && line['status'] === 200)).toBe(true);
    expect(log.some((line) => line['status'] === 401)).toBe(true);

    await replica.close();
    await link.close();
    await server.close();
  });
});
