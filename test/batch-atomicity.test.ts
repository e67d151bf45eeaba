import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSyncClient } from '@pourover/replica';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSignIn } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

function drafts(count: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({
    collection: 'draftOrders' as const,
    precondition: { kind: 'absent' as const },
    write: { ...draftOrder(`${tag} ${i}`, randomUUID()), _deleted: false },
  }));
}

describe('batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-batch-'));
  let server: ServerProcess;
  let client: ReturnType<typeof createSyncClient>;

  beforeAll(async () => {
    server = await startServerProcess(dir);
    const token = await devSignIn(server.url, 'phone');
    client = createSyncClient({ url: server.url, token: () => token });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function snapshot() {
    const file = readServerFile(dir);
    const state = { head: file.head(REPLICA), drafts: file.documents(REPLICA, 'draftOrders') };
    file.close();
    return state;
  }

  it('with one failing precondition change nothing and name the failing operation', async () => {
    const existing = drafts(1, 'existing');
    expect((await client.sync.batch.mutate({ operations: existing })).ok).toBe(true);
    const before = snapshot();

    const [first] = existing;
    if (!first) throw new Error('no existing draft');
    const changed = { ...draftOrder('changed', first.write.id), _deleted: false };
    const operations = [...drafts(3, 'new'), { ...first, write: changed }];
    const result = await client.sync.batch.mutate({ operations });
    expect(result).toMatchObject({ ok: false, failed: { index: 3, collection: 'draftOrders', id: first.write.id } });
    expect(snapshot()).toEqual(before);
  });

  it('are never half applied, even when the server is killed while applying one', async () => {
    for (let round = 0; round < 6; round += 1) {
      const operations = drafts(1_000, `round ${round}`);
      const ids = new Set(operations.map((op) => op.write.id));
      const sent = client.sync.batch.mutate({ operations }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, round * 15));
      await server.kill();
      await sent;
      await server.restart();
      const applied = snapshot().drafts.filter((row) => ids.has(row.id)).length;
      expect([0, 1_000]).toContain(applied);
    }
  });
});
