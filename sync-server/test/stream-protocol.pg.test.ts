import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '@pourover/protocol';
import { createSyncClient, errorCodeOf } from '@pourover/sync-client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pouroverApp } from '../src/app/pourover-app.ts';
import { OLDEST_SERVED_PROTOCOL } from '../src/http/client-version.ts';
import { startServer, type RunningServer } from '../src/index.ts';
import { onPostgres } from '../testing/on-postgres.ts';
import { call, deviceToken, readEventStream, resultOf, streamData, streamErrors, streamPath, tempDir } from './support/test-server.ts';

/** A proxy on 127.0.0.1 that sends stream tickets' requests to `tickets` and every other request to `rest`: two nodes in a rolling deploy. */
async function splitProxy(tickets: RunningServer, rest: RunningServer): Promise<{ url: string; close(): Promise<void> }> {
  const proxy: Server = createServer((req, res) => {
    const target = new URL(req.url?.startsWith('/trpc/auth.streamTicket') ? tickets.url : rest.url);
    const forwarded = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.once('error', () => res.destroy());
    res.once('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

onPostgres((postgres) => {
  describe('a live stream opened on a node that no longer serves the protocol its ticket was asked with', { timeout: 30_000 }, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    /** Not yet upgraded: serves the oldest protocol still served. */
    let older: RunningServer;
    /** Upgraded: serves only the current protocol. */
    let upgraded: RunningServer;
    beforeAll(async () => {
      const database = await postgres.createDatabase();
      cleanups.push(database.drop);
      const [first, second] = [tempDir(), tempDir()];
      cleanups.push(
        () => first.remove(),
        () => second.remove(),
      );
      older = await startServer({ app: pouroverApp, dataDir: first.dir, store: database.url, seed: true, port: 0 });
      cleanups.push(() => older.close());
      upgraded = await startServer({
        app: pouroverApp,
        dataDir: second.dir,
        keyFile: join(first.dir, 'server-key.pem'),
        store: database.url,
        port: 0,
        oldestProtocol: PROTOCOL_VERSION,
      });
      cleanups.push(() => upgraded.close());
    }, 30_000);
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    const ticketFrom = async (server: RunningServer, protocol: number) => {
      const answer = await call(server, 'POST', '/trpc/auth.streamTicket', {
        token: deviceToken(older.key),
        headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(protocol) },
      });
      return resultOf<{ ticket: string }>(answer).ticket;
    };
    const streamWith = (ticket: string) => `${streamPath()}&connectionParams=${encodeURIComponent(JSON.stringify({ ticket }))}`;

    it('is refused with UPDATE_NEEDED, and a ticket asked with the current protocol opens it', async () => {
      expect(OLDEST_SERVED_PROTOCOL).toBeLessThan(PROTOCOL_VERSION);
      const refused = await readEventStream(upgraded, streamWith(await ticketFrom(older, OLDEST_SERVED_PROTOCOL)), {
        until: (events) => streamErrors(events).length > 0 || streamData(events).length > 0,
      });
      expect(streamData(refused.events)).toEqual([]);
      expect(streamErrors(refused.events)).toMatchObject([{ code: 'UPDATE_NEEDED', httpStatus: 426 }]);

      const opened = await readEventStream(upgraded, streamWith(await ticketFrom(older, PROTOCOL_VERSION)), {
        until: (events) => streamData(events).length > 0,
      });
      expect(streamErrors(opened.events)).toEqual([]);
      expect(streamData(opened.events)[0]?.data).toContain('"ready"');
    });

    it('reaches the sync client as UPDATE_NEEDED, so the device stops rather than retries', async () => {
      const proxy = await splitProxy(older, upgraded);
      try {
        const client = createSyncClient({
          url: proxy.url,
          token: () => deviceToken(older.key),
          EventSource,
          protocol: OLDEST_SERVED_PROTOCOL,
        });
        const ended = await new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the stream neither opened nor ended in 10 s')), 10_000);
          const subscription = client.sync.stream.subscribe(
            { lastEventId: null },
            {
              onData: () => {
                clearTimeout(timer);
                subscription.unsubscribe();
                reject(new Error('the stream opened'));
              },
              onError: (error) => {
                clearTimeout(timer);
                subscription.unsubscribe();
                resolve(error);
              },
            },
          );
        });
        expect(errorCodeOf(ended)).toBe('UPDATE_NEEDED');
      } finally {
        await proxy.close();
      }
    });
  });
});
