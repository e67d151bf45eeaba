import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pouroverApp } from '../src/app/pourover-app.ts';
import { startServer, type RunningServer } from '../src/index.ts';
import { DATA_FILES } from '../src/store/data-files.ts';
import { renewSqliteEpoch } from '../src/store/sqlite/sqlite-store.ts';
import { readEventStream, storeToken, streamData, tempDir } from './support/test-server.ts';

type Watched = { kind: string; resumeMarker?: string; documents?: unknown[] };

const watchPath = (lastEventId?: string) =>
  `/trpc/sync.watch?input=${encodeURIComponent(JSON.stringify({ collection: 'catalog', ...(lastEventId ? { lastEventId } : {}) }))}`;

/** The events of a watch of the catalog, read until `until` holds among them or 2 s pass. */
async function watch(server: RunningServer, options: { lastEventId?: string; until: (events: Watched[]) => boolean }): Promise<Watched[]> {
  const parsed = (events: { data: string }[]) => streamData(events as never).map((event) => JSON.parse(event.data) as Watched);
  const answer = await readEventStream(server, watchPath(options.lastEventId), {
    token: storeToken(server.key),
    until: (events) => options.until(parsed(events)),
  });
  return parsed(answer.events);
}
const initialized = (events: Watched[]) => events.some((event) => event.kind === 'initialized');

describe('a watch resumed across a restore', () => {
  const folder = tempDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ app: pouroverApp, dataDir: folder.dir, seed: true, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    folder.remove();
  });

  it('goes on from a marker of the current epoch, and starts over from the initial state from one of an older epoch', async () => {
    const first = await watch(server, { until: initialized });
    const before = first.find((event) => event.kind === 'initialized')?.resumeMarker;
    expect(before).toMatch(/^\d+$/);
    expect(first.filter((event) => event.kind === 'initial').length).toBeGreaterThan(0);

    // The same epoch: only what came after the marker (here nothing), no initial state.
    const resumed = await watch(server, { lastEventId: before!, until: () => false });
    expect(resumed).toEqual([]);

    // A restore: the data file gets a new epoch while the server is stopped.
    await server.close();
    renewSqliteEpoch(join(folder.dir, DATA_FILES.documents));
    server = await startServer({ app: pouroverApp, dataDir: folder.dir, port: 0 });

    const afterRestore = await watch(server, { lastEventId: before!, until: initialized });
    expect(afterRestore.filter((event) => event.kind === 'initial').length).toBeGreaterThan(0);
    const marker = afterRestore.find((event) => event.kind === 'initialized')?.resumeMarker;
    expect(Number(marker)).toBeGreaterThan(Number(before));
    // And a marker of the new epoch goes on as before.
    expect(await watch(server, { lastEventId: marker!, until: () => false })).toEqual([]);
  });
});
