import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '@pourover/protocol';
import { createSyncClient } from '@pourover/sync-client';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { afterAll, describe, expect, it } from 'vitest';
import { draftOrder } from './support/documents.ts';
import { holdRequest } from './support/held-request.ts';
import { ReplicaProcess } from './support/replica-process.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { shopperId } from './support/shoppers.ts';
import { waitFor } from './support/wait-for.ts';

const SHOPPER = `bluebottle:users:${shopperId(70)}`;

/** A token of a device of the shopper, signed with the server's key. */
const tokenOf = (server: ServerProcess, device: string) =>
  signBlessing(loadServerKey(join(server.dataDir, 'server-key.pem')), { name: `${SHOPPER}:${device}`, ttlSeconds: 3600 });

/** A push of one new draft holding `note`, as a device sends it: its head (without the blank line that ends it) and its body. */
function pushOf(server: ServerProcess, note: string) {
  const token = tokenOf(server, 'drain');
  const draft = { ...draftOrder(note), _deleted: false };
  const body = JSON.stringify({ collection: 'draftOrders', rows: [{ assumedMasterState: null, newDocumentState: draft }] });
  const head =
    `POST /trpc/sync.push HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${PROTOCOL_HEADER}: ${PROTOCOL_VERSION}\r\n`;
  return { id: draft.id, draft, token, head, body };
}

const storedNotes = (server: ServerProcess) => {
  const file = readServerFile(server.dataDir);
  try {
    return new Map(file.documents(SHOPPER, 'draftOrders').map((row) => [row.id, row.document['note']]));
  } finally {
    file.close();
  }
};

const logged = (server: ServerProcess, message: string) => server.logs.find((line) => String(line['message']).startsWith(message));

/** Resolves with the process's exit code, or fails once `ms` have passed. */
const exitWithin = (server: ServerProcess, ms: number) =>
  Promise.race([
    server.exited(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms`)), ms)),
  ]);

/**
 * SIGTERM drains a `pourover-server` (docs/operations.md, rolling upgrades):
 * the real CLI in a child process, on its SQLite store. Requests are held in
 * flight deterministically: a push sent with `Expect: 100-continue` is in
 * the server's handler once it answers `100 Continue`, and waits there for
 * its body.
 */
describe('a server node stopped with SIGTERM drains', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-drain-'));
    dirs.push(dir);
    return dir;
  };
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes and stores a push in flight, answers a request that comes meanwhile UNAVAILABLE with Retry-After, and exits 0', async () => {
    const server = await startServerProcess(newDir());
    servers.push(server);
    const inFlight = pushOf(server, 'in flight at SIGTERM');
    const held = await holdRequest(server.url, `${inFlight.head}Expect: 100-continue\r\n\r\n`, { untilContinue: true });
    // Begun, not yet whole: the request line and a header only, on a connection of its own.
    const late = pushOf(server, 'sent during the drain');
    const [lateFirst, lateRest] = [late.head.slice(0, 40), late.head.slice(40)];
    const arriving = await holdRequest(server.url, lateFirst);

    server.signal('SIGTERM');
    await waitFor('the drain to start', () => logged(server, 'draining') !== undefined, 10_000);
    expect(logged(server, 'draining')).toMatchObject({ requests: 1, streams: 0 });

    const refused = await arriving.finish(`${lateRest}\r\n${late.body}`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toMatchObject({ error: { data: { code: 'UNAVAILABLE' } } });

    const pushed = await held.finish(inFlight.body);
    expect(pushed.status).toBe(200);
    expect(JSON.parse(pushed.body)).toMatchObject({ result: { data: { conflicts: [] } } });

    expect(await exitWithin(server, 20_000)).toBe(0);
    expect(logged(server, 'drained:')).toBeDefined();
    expect(logged(server, 'drained until the timeout')).toBeUndefined();
    const notes = storedNotes(server);
    expect(notes.get(inFlight.id)).toBe('in flight at SIGTERM');
    expect(notes.has(late.id)).toBe(false);
  });

  it('cuts a stuck request at the drain timeout and says so, and stops at once on a second signal', async () => {
    const server = await startServerProcess(newDir(), undefined, ['--drain-timeout', '2']);
    servers.push(server);
    const stuck = pushOf(server, 'never sent whole');
    const held = await holdRequest(server.url, `${stuck.head}Expect: 100-continue\r\n\r\n`, { untilContinue: true });
    server.signal('SIGTERM');
    expect(await exitWithin(server, 20_000)).toBe(0);
    expect(logged(server, 'drained until the timeout')).toMatchObject({ requests: ['POST sync.push'], streams: 0, timeoutMs: 2000 });
    await expect(held.answer, 'the stuck push is cut, unanswered').rejects.toThrow();
    expect(storedNotes(server).has(stuck.id)).toBe(false);

    // A drain that would wait a minute: the second signal ends it.
    const patient = await startServerProcess(newDir(), undefined, ['--drain-timeout', '60']);
    servers.push(patient);
    const alsoStuck = pushOf(patient, 'never sent whole either');
    await holdRequest(patient.url, `${alsoStuck.head}Expect: 100-continue\r\n\r\n`, { untilContinue: true });
    patient.signal('SIGTERM');
    await waitFor('the drain to start', () => logged(patient, 'draining') !== undefined, 10_000);
    patient.signal('SIGTERM');
    expect(await exitWithin(patient, 20_000)).toBe(1);
    expect(logged(patient, 'a second signal')).toBeDefined();
  });

  it(
    'ends a device’s live stream with UNAVAILABLE; the device follows the restarted node and receives later changes',
    { timeout: 90_000 },
    async () => {
      const server = await startServerProcess(newDir());
      servers.push(server);
      const following = await ReplicaProcess.open(server, 'drain-following', { token: tokenOf(server, 'following') });
      try {
        await following.awaitInSync();
        server.signal('SIGTERM');
        expect(await exitWithin(server, 20_000)).toBe(0);
        // The stream was ended by the drain with its typed error, not cut by the exit.
        const stream = server.requests.find((request) => request.path.endsWith('sync.stream') && request.error === 'UNAVAILABLE');
        expect(stream?.reason).toMatch(/stopping/);
        expect(logged(server, 'drained:')).toBeDefined();

        await server.restart();
        const later = pushOf(server, 'written after the restart');
        const writer = createSyncClient({ url: server.url, token: () => later.token });
        await writer.sync.push.mutate({ collection: 'draftOrders', rows: [{ assumedMasterState: null, newDocumentState: later.draft }] });
        await waitFor(
          'the following device to receive the draft',
          async () => (await following.notes())[later.id] === 'written after the restart',
          30_000,
          100,
        );
      } finally {
        await following.close();
        await server.stop();
      }
    },
  );
});
