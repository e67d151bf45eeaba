import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type StreamEvent } from '@pourover/protocol';
import { createSyncClient } from '@pourover/sync-client';
import { signBlessing, startServer, type RunningServer } from '@pourover/sync-server';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { EventSource } from 'eventsource';
import { afterAll, describe, expect, it } from 'vitest';
import { draftOrder } from './support/documents.ts';
import { openStreamFrom, streamPathWith, ticketFor, type OpenedStream } from './support/from-address.ts';
import { collectingLogger } from './support/log-lines.ts';
import { sample, scrape } from './support/scrape.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * The device's live stream is served on plain server-sent events, outside
 * tRPC (sync-server/src/http/device-stream-sse.ts): tRPC's own client reads
 * it, it resumes, it refuses as tRPC's procedure did, and it is counted.
 */

const dir = mkdtempSync(join(tmpdir(), 'pourover-device-stream-sse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHOPPER = 'bluebottle:users:5e000000-0000-4000-8000-00000000a5e0';
const deviceToken = (server: RunningServer, device: string) => signBlessing(server.key, { name: `${SHOPPER}:${device}`, ttlSeconds: 3600 });
/** A device the server knows (so that it can be revoked), with its token. */
const registered = async (server: RunningServer, device: string) => {
  await server.identity.registerDevice(
    { name: `${SHOPPER}:${device}`, shopperId: SHOPPER.split(':')[2] ?? '', publicKey: null },
    new Date(),
  );
  return deviceToken(server, device);
};
const commitDraft = async (server: RunningServer, note: string) => {
  const draft = draftOrder(note);
  await server.store.commit(
    SHOPPER,
    [{ collection: 'draftOrders', document: { ...draft, _deleted: false }, expect: { kind: 'absent' } }],
    'all',
  );
  return draft.id;
};

type SentEvent = { event?: string; data?: string; id?: string };
/** The events of a server-sent event stream, as an EventSource splits them (blank lines between events). */
function eventsOf(text: string): SentEvent[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.length > 0)
    .map((block) =>
      Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])),
    );
}
const refusalOf = (event: SentEvent | undefined) =>
  JSON.parse(event?.data ?? 'null') as { message: string; code: number; data: { code: string; httpStatus: number; path: string } };

/** Opens a stream (of `procedure`, a device's by default) and waits until the server has sent `until` or ended it. */
async function openUntil(
  server: RunningServer,
  options: { token: string; procedure?: string; input?: unknown; protocol?: number; until: RegExp },
): Promise<OpenedStream> {
  const ticket = await ticketFor(server.url, options.token);
  const path = streamPathWith({ ticket }, options.procedure, options.input ?? { lastEventId: null });
  const stream = await openStreamFrom(
    server.url,
    path,
    undefined,
    options.protocol === undefined ? {} : { [PROTOCOL_HEADER]: String(options.protocol) },
  );
  await waitFor(`the stream to send ${options.until}`, () => options.until.test(stream.text()), 10_000);
  return stream;
}

describe('the device stream on plain server-sent events', () => {
  it('speaks tRPC’s SSE format to tRPC’s own client, and resumes after the last event id it gave', async () => {
    const server = await startServer({ app: pouroverApp, dataDir: join(dir, 'resume') });
    const token = deviceToken(server, 'phone');
    const client = createSyncClient({ url: server.url, token: () => token, EventSource });
    const raw = await openUntil(server, { token, until: /"kind":"ready"/ });
    try {
      // Byte for byte what tRPC's producer writes: `connected` with the client's options, then tracked data with its id.
      expect(raw.status).toBe(200);
      expect(raw.headers['content-type']).toBe('text/event-stream');
      expect(raw.text()).toMatch(
        /^event: connected\ndata: \{"reconnectAfterInactivityMs":4500\}\n\n\ndata: \{"kind":"ready","epoch":"[^"]+"\}\nid: \S+\n\n\n/,
      );
      await waitFor('a ping on the idle stream', () => raw.text().includes('\n\n\nevent: ping\ndata: \n\n\n'), 10_000);

      const first: { id: string; data: StreamEvent }[] = [];
      const live = client.sync.stream.subscribe({ lastEventId: null }, { onData: (event) => void first.push(event) });
      await waitFor('ready on the client’s stream', () => first.some((event) => event.data.kind === 'ready'));
      const seenDraft = await commitDraft(server, 'seen live');
      await waitFor('the first draft on the client’s stream', () =>
        first.some((event) => event.data.kind === 'changes' && event.data.documents.some((document) => document['id'] === seenDraft)),
      );
      live.unsubscribe();
      const lastEventId = first.at(-1)?.id ?? '';

      const missedDraft = await commitDraft(server, 'written while away');
      const resumed: { id: string; data: StreamEvent }[] = [];
      const again = client.sync.stream.subscribe({ lastEventId }, { onData: (event) => void resumed.push(event) });
      await waitFor('the missed draft on the resumed stream', () => resumed.length > 0);
      again.unsubscribe();
      // No `ready` (which would make the device start afresh) and nothing it had seen: only what it missed.
      const [event] = resumed;
      expect(event?.data).toMatchObject({ kind: 'changes', collection: 'draftOrders', documents: [{ id: missedDraft }] });
      expect(event?.id).not.toBe(lastEventId);
    } finally {
      raw.close();
      await server.close();
    }
  });

  it('refuses as tRPC’s procedure does: a bad ticket and a revoked device before the stream, a revoked device and an old protocol inside it', async () => {
    const server = await startServer({ app: pouroverApp, dataDir: join(dir, 'refusals'), oldestProtocol: PROTOCOL_VERSION });
    const open: OpenedStream[] = [];
    try {
      const unknown = await openStreamFrom(server.url, streamPathWith({ ticket: 'x'.repeat(43) }));
      open.push(unknown);
      await waitFor('the refusal’s body', () => unknown.text().length > 0);
      expect(unknown.status).toBe(401);
      expect(JSON.parse(unknown.text())).toMatchObject({ error: { data: { code: 'UNAUTHENTICATED' } } });

      const ticket = await ticketFor(server.url, await registered(server, 'lost'));
      await server.identity.revoke(`${SHOPPER}:lost`, new Date());
      const revoked = await openStreamFrom(server.url, streamPathWith({ ticket }));
      open.push(revoked);
      await waitFor('the refusal’s body', () => revoked.text().length > 0);
      expect(revoked.status).toBe(401);
      expect(JSON.parse(revoked.text())).toMatchObject({
        error: { data: { code: 'UNAUTHENTICATED' }, message: 'this device was revoked' },
      });

      // Revoked while its stream is open: the stream ends with the typed error, as an event the client reads.
      const stolen = await openUntil(server, { token: await registered(server, 'stolen'), until: /"kind":"ready"/ });
      open.push(stolen);
      await server.identity.revoke(`${SHOPPER}:stolen`, new Date());
      await waitFor('the revocation on the open stream', () => stolen.text().includes('event: serialized-error'));
      expect(refusalOf(eventsOf(stolen.text()).at(-1))).toMatchObject({
        message: 'this device was revoked',
        data: { code: 'UNAUTHENTICATED', httpStatus: 401, path: 'sync.stream' },
      });

      // An old protocol: the same events tRPC sends for its own subscription (the store's watch) refused the same way.
      const old = PROTOCOL_VERSION - 1;
      const device = await openUntil(server, { token: deviceToken(server, 'old'), protocol: old, until: /serialized-error/ });
      const store = signBlessing(server.key, { name: 'bluebottle', ttlSeconds: 3600 });
      const watch = await openUntil(server, {
        token: store,
        procedure: 'sync.watch',
        input: { collection: 'catalog' },
        protocol: old,
        until: /serialized-error/,
      });
      open.push(device, watch);
      const ours = eventsOf(device.text());
      const tRPCs = eventsOf(watch.text());
      expect(ours.map((event) => event.event)).toEqual(['connected', 'serialized-error']);
      expect(tRPCs.map((event) => event.event)).toEqual(['connected', 'serialized-error']);
      expect(device.status).toBe(watch.status);
      expect(ours[0]).toEqual(tRPCs[0]);
      expect(refusalOf(ours[1])).toEqual({ ...refusalOf(tRPCs[1]), data: { ...refusalOf(tRPCs[1]).data, path: 'sync.stream' } });
      expect(refusalOf(ours[1]).data.code).toBe('UPDATE_NEEDED');
    } finally {
      for (const stream of open) stream.close();
      await server.close();
    }
  });

  it('counts each open stream in the open-streams metric until it closes, and logs it with its device', async () => {
    const { logger, lines } = collectingLogger();
    const server = await startServer({ app: pouroverApp, dataDir: join(dir, 'metrics'), logger });
    const open = () => scrape(`${server.url}/metrics`).then((answer) => sample(answer.text, 'pourover_open_streams', { stream: 'device' }));
    try {
      const one = await openUntil(server, { token: deviceToken(server, 'one'), until: /"kind":"ready"/ });
      const two = await openUntil(server, { token: deviceToken(server, 'two'), until: /"kind":"ready"/ });
      expect(await open()).toBe(2);
      one.close();
      await waitFor('one stream counted', async () => (await open()) === 1);
      two.close();
      await waitFor('no stream counted', async () => (await open()) === 0);
      await waitFor('both streams logged', () => lines.filter((line) => line['path'] === '/trpc/sync.stream').length === 2);
      expect(lines.filter((line) => line['path'] === '/trpc/sync.stream').map((line) => [line['blessing'], line['status']])).toEqual([
        [`${SHOPPER}:one`, 200],
        [`${SHOPPER}:two`, 200],
      ]);
    } finally {
      await server.close();
    }
  });
});
