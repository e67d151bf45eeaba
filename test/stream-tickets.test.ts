import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReplica } from '@pourover/replica';
import { createSyncClient, DeviceCredentials, memoryDeviceStore } from '@pourover/sync-client';
import { startServer } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { devSignIn } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { collectingLogger } from './support/log-lines.ts';
import { TcpLink } from './support/tcp-link.ts';
import { waitFor } from './support/wait-for.ts';
import { errorOf, openStreamFrom, streamPathWith, ticketFor, type OpenedStream } from './support/from-address.ts';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { pouroverDeviceApp } from '@pourover/orders';

/** The `eventsource` package's EventSource, noting every URL a stream is opened at. */
function recordingEventSource(urls: string[]) {
  return class extends EventSource {
    constructor(url: string | URL, init?: ConstructorParameters<typeof EventSource>[1]) {
      urls.push(String(url));
      super(url, init);
    }
  };
}

describe('live streams open with single-use tickets, never with a token in their URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-stream-tickets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a device’s stream with a ticket, refuses that ticket a second time and a token in its place, and logs neither', async () => {
    const { logger, lines: log } = collectingLogger();
    const server = await startServer({ app: pouroverApp, dataDir: dir, seed: true, logger });
    const token = await devSignIn(server.url, 'phone');
    const urls: string[] = [];
    const replica = await openReplica({
      app: pouroverDeviceApp,
      url: server.url,
      blessing: token,
      name: `tickets-${Date.now()}`,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource: recordingEventSource(urls),
      multiInstance: false,
      retryMs: 250,
    });
    const open: OpenedStream[] = [];
    try {
      await replica.awaitInSync();
      expect(urls.length).toBeGreaterThanOrEqual(1);
      const tickets = urls.map((url) => JSON.parse(new URL(url).searchParams.get('connectionParams') ?? '{}') as Record<string, string>);
      for (const [n, url] of urls.entries()) {
        expect(url).not.toContain(token);
        expect(Object.keys(tickets[n] ?? {})).toEqual(['ticket']);
      }

      // The ticket the replica's stream opened with is used up.
      const reused = await openStreamFrom(server.url, new URL(urls[0] ?? '').pathname + new URL(urls[0] ?? '').search);
      open.push(reused);
      expect(reused.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reused.text()).toMatch(/stream ticket is unknown, used or expired/);

      const withToken = await openStreamFrom(server.url, streamPathWith({ token }));
      open.push(withToken);
      expect(withToken.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(JSON.parse(withToken.text())).toMatchObject({
        error: { data: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/token in a stream’s address is refused/) },
      });

      const logged = JSON.stringify(log);
      expect(logged).not.toContain(token);
      for (const ticket of tickets) expect(logged).not.toContain(ticket['ticket']);
    } finally {
      for (const stream of open) stream.close();
      await replica.close();
      await server.close();
    }
  });

  it('refuses a device’s stream past its cap with HTTP 429 and Retry-After before any event is sent, and opens it once one closes', async () => {
    const server = await startServer({ app: pouroverApp, dataDir: join(dir, 'cap'), seed: true });
    const token = await devSignIn(server.url, 'tablet');
    const open: OpenedStream[] = [];
    try {
      for (let n = 0; n < 5; n += 1)
        open.push(await openStreamFrom(server.url, streamPathWith({ ticket: await ticketFor(server.url, token) })));
      expect(open.map((stream) => stream.status)).toEqual([200, 200, 200, 200, 429]);
      const refused = open[4] as OpenedStream;
      expect(refused.headers['content-type']).toBe('application/json');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errorOf({ status: 429, headers: refused.headers, text: refused.text(), body: JSON.parse(refused.text()) })).toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/already has 4 live streams open/),
      });

      open[0]?.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await openStreamFrom(server.url, streamPathWith({ ticket: await ticketFor(server.url, token) }));
      open.push(next);
      expect(next.status).toBe(200);
      expect(next.headers['content-type']).toMatch(/text\/event-stream/);
    } finally {
      for (const stream of open) stream.close();
      await server.close();
    }
  });

  it('opens a device’s stream again, after its token expired offline, with a ticket asked for with the refreshed token', async () => {
    const { logger, lines: log } = collectingLogger();
    const server = await startServer({ app: pouroverApp, dataDir: join(dir, 'expiry'), seed: true, accessTokenSeconds: 2, logger });
    const credentials = await DeviceCredentials.open({
      store: memoryDeviceStore(),
      client: (token) => createSyncClient({ url: server.url, token }),
      signIn: (publicKey) => createSyncClient({ url: server.url, token: () => '' }).auth.devSignIn.mutate({ device: 'laptop', publicKey }),
    });
    const link = await TcpLink.open(server);
    const replica = await openReplica({
      app: pouroverDeviceApp,
      url: link.url,
      blessing: credentials,
      name: `tickets-expiry-${Date.now()}`,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 250,
    });
    try {
      await replica.awaitInSync();
      link.unplug();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      link.plug();
      // Written on the server alone: only a live stream that opened again brings it to the device.
      const draft = draftOrder('written while the device was away');
      await server.store.commit(
        'bluebottle:users:c0ffee00-0000-4000-8000-000000000001',
        [{ collection: 'draftOrders', document: { ...draft, _deleted: false }, expect: { kind: 'absent' } }],
        'all',
      );
      await waitFor(
        'the server’s draft on the device',
        async () => (await replica.collections.draftOrders.findOne(draft.id).exec()) !== null,
      );
      const ticketAnswers = log.filter((line) => line['path'] === '/trpc/auth.streamTicket').map((line) => line['status']);
      expect(ticketAnswers).toContain(401);
      expect(ticketAnswers.at(-1)).toBe(200);
      expect(log.some((line) => line['path'] === '/trpc/auth.refresh' && line['status'] === 200)).toBe(true);
    } finally {
      await replica.close();
      await link.close();
      await server.close();
    }
  });
});
