import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { STORE } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { answerLiveness } from '../src/http/readiness.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { noteDoc } from '../testing/notes-app.ts';
import { tempDir } from './support/test-server.ts';

const folder = tempDir();
afterAll(() => folder.remove());

/** `/healthz` over a store, served on 127.0.0.1; the status and body it answers now. */
async function health(store: SqliteStore) {
  const server = createServer((_req, res) => answerLiveness(res, store)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  } finally {
    server.close();
  }
}

describe('/healthz on SQLite', () => {
  it('answers 500 with the reason once the disk refused to sync the commit log, so a supervisor restarts the node', async () => {
    let failNext = false;
    const store = new SqliteStore({
      file: join(folder.dir, 'health.sqlite'),
      syncCommitLog: (_fd, done) => done(failNext ? Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) : null),
    });
    const write = (n: number) => store.commit(STORE, [{ collection: 'notes', document: noteDoc(n), expect: { kind: 'none' } }], 'each');
    await write(1);
    expect(await health(store)).toMatchObject({ status: 200, body: { ok: true, store: 'sqlite' } });

    failNext = true;
    await expect(write(2)).rejects.toThrow(/did not confirm/);
    expect(await health(store)).toEqual({ status: 500, body: { ok: false, reason: expect.stringMatching(/EIO.*restart the server/) } });
    await store.close();
  });
});
