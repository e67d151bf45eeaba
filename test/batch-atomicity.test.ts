import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftOrder } from './support/documents.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { storeOwnerClient } from './support/store-owner.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

/** Placed orders the store writes into the demo shopper's replica, as its processor's batches do. */
function placed(count: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({
    collection: 'placedOrders' as const,
    precondition: { kind: 'absent' as const },
    write: { ...draftOrder(`${tag} ${i}`, randomUUID()), status: 'placed' as const, _deleted: false },
  }));
}

describe('batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-batch-'));
  let server: ServerProcess;
  let client: ReturnType<typeof storeOwnerClient>;

  beforeAll(async () => {
    server = await startServerProcess(dir);
    client = storeOwnerClient(server);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function snapshot() {
    const file = readServerFile(dir);
    const state = { head: file.head(REPLICA), placed: file.documents(REPLICA, 'placedOrders') };
    file.close();
    return state;
  }

  it('with one failing precondition change nothing and name the failing operation', async () => {
    const existing = placed(1, 'existing');
    expect((await client.sync.batch.mutate({ replica: REPLICA, operations: existing })).ok).toBe(true);
    const before = snapshot();

    const [first] = existing;
    if (!first) throw new Error('no existing draft');
    const changed = { ...draftOrder('changed', first.write.id), status: 'placed' as const, _deleted: false };
    const operations = [...placed(3, 'new'), { ...first, write: changed }];
    const result = await client.sync.batch.mutate({ replica: REPLICA, operations });
    expect(result).toMatchObject({ ok: false, failed: { index: 3, collection: 'placedOrders', id: first.write.id } });
    expect(snapshot()).toEqual(before);
  });

  it('are never half applied, even when the server is killed while applying one', async () => {
    for (let round = 0; round < 6; round += 1) {
      const operations = placed(1_000, `round ${round}`);
      const ids = new Set(operations.map((op) => op.write.id));
      const sent = client.sync.batch.mutate({ replica: REPLICA, operations }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, round * 15));
      await server.kill();
      await sent;
      await server.restart();
      const applied = snapshot().placed.filter((row) => ids.has(row.id)).length;
      expect([0, 1_000]).toContain(applied);
    }
  });
});
