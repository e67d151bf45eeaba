import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pouroverApp } from '../src/app/pourover-app.ts';
import { PostgresStore, startServer, type RunningServer } from '../src/index.ts';
import { onPostgres } from '../testing/on-postgres.ts';
import { deviceToken, parseEvents, pull, resultOf, storeToken, streamData, streamPath, tempDir } from './support/test-server.ts';

type Pulled = { documents: unknown[]; checkpoint: { seq: number; epoch: string }; reset?: true };

/** Waits up to 10 s for `check` to hold. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A stream at `path` on `node`, read as it arrives: its data events so far, and whether the server ended it. */
function openStream(
  node: RunningServer,
  path: string,
  token: string,
): { events(): Record<string, unknown>[]; ended(): boolean; close(): void } {
  const controller = new AbortController();
  let text = '';
  let ended = false;
  void fetch(`${node.url}${path}`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
    .then(async (response) => {
      const decoder = new TextDecoder();
      const reader = response.body?.getReader();
      for (let read = await reader?.read(); read && !read.done; read = await reader?.read())
        text += decoder.decode(read.value, { stream: true });
      ended = true;
    })
    .catch(() => {});
  return {
    events: () => streamData(parseEvents(text)).map((event) => JSON.parse(event.data) as Record<string, unknown>),
    ended: () => ended,
    close: () => controller.abort(),
  };
}

const watchPath = (lastEventId?: string) =>
  `/trpc/sync.watch?input=${encodeURIComponent(JSON.stringify({ collection: 'catalog', ...(lastEventId ? { lastEventId } : {}) }))}`;

onPostgres((postgres) => {
  describe('a new epoch given to a PostgreSQL database while its nodes run', { timeout: 60_000 }, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    let url: string;
    const nodes: RunningServer[] = [];
    beforeAll(async () => {
      const database = await postgres.createDatabase();
      cleanups.push(database.drop);
      url = database.url;
      const [first, second] = [tempDir(), tempDir()];
      cleanups.push(
        () => first.remove(),
        () => second.remove(),
      );
      const keyFile = join(first.dir, 'server-key.pem');
      nodes.push(await startServer({ app: pouroverApp, dataDir: first.dir, store: url, seed: true, port: 0 }));
      nodes.push(await startServer({ app: pouroverApp, dataDir: second.dir, keyFile, store: url, port: 0 }));
      cleanups.push(...nodes.map((node) => () => node.close()));
    }, 30_000);
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('reaches every node without a restart: a device on either is told `reset`, and its open stream a new `ready`', async () => {
      const [first, second] = nodes as [RunningServer, RunningServer];
      const token = deviceToken(first.key);
      const pullFrom = async (node: RunningServer, checkpoint: Pulled['checkpoint'] | null) =>
        resultOf<Pulled>(await pull(node, { collection: 'catalog', checkpoint, limit: 1000 }, token));
      const before = await pullFrom(second, null);
      expect(before.documents.length).toBeGreaterThan(0);
      expect((await pullFrom(first, null)).checkpoint.epoch).toBe(before.checkpoint.epoch);

      // A device's live stream on the second node, open across the renewal.
      const stream = openStream(second, streamPath(), token);
      cleanups.push(stream.close);
      const readies = () =>
        stream
          .events()
          .filter((event) => event['kind'] === 'ready')
          .map((event) => event['epoch']);
      await until('the stream to say it is ready', async () => readies().length === 1);

      const epoch = await PostgresStore.renewEpoch(url);
      expect(epoch).not.toBe(before.checkpoint.epoch);

      for (const node of nodes) {
        await until(
          `node ${node.url} to answer the old checkpoint with a reset`,
          async () => (await pullFrom(node, before.checkpoint)).reset === true,
        );
        const after = await pullFrom(node, before.checkpoint);
        expect(after.checkpoint.epoch).toBe(epoch);
        expect(after.documents.length).toBe(before.documents.length);
      }
      await until('the stream to say ready again', async () => readies().length === 2);
      expect(readies()).toEqual([before.checkpoint.epoch, epoch]);
    });

    it('ends a watch open on another node, and starts one resumed from an older epoch’s marker from the initial state', async () => {
      const second = nodes[1]!;
      const token = storeToken(second.key);
      const watching = openStream(second, watchPath(), token);
      cleanups.push(watching.close);
      const markerOf = (events: Record<string, unknown>[]) => events.find((event) => event['kind'] === 'initialized')?.['resumeMarker'];
      await until('the watch to send its initial state', async () => markerOf(watching.events()) !== undefined);
      const marker = String(markerOf(watching.events()));

      await PostgresStore.renewEpoch(url);
      await until('the watch to end', async () => watching.ended());

      const resumed = openStream(second, watchPath(marker), token);
      cleanups.push(resumed.close);
      await until('the resumed watch to send an initial state', async () => markerOf(resumed.events()) !== undefined);
      expect(resumed.events().filter((event) => event['kind'] === 'initial').length).toBeGreaterThan(0);
      expect(Number(markerOf(resumed.events()))).toBeGreaterThan(Number(marker));
    });
  });
});
