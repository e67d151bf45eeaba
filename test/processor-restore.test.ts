import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem, DeliverySlot } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { auditOrders } from './support/audit.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount } from './support/server-file.ts';
import { runServerCommand, startServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';

describe('the order processor across a restore of its server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-processor-restore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'keeps watching: orders the restore brought back as placed are finished without a second charge, and orders placed after are processed once',
    { timeout: 150_000 },
    async () => {
      const server = await startServerProcess(join(dir, 'data'));
      let processor: ProcessorProcess | undefined;
      try {
        const store = storeOwnerClient(server);
        const catalog = (await store.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1000 }))
          .documents as unknown as CatalogItem[];
        const slots = (await store.sync.pull.query({ collection: 'availability', checkpoint: null, limit: 1000 }))
          .documents as unknown as DeliverySlot[];
        const open = slots.find((s) => s.cutoff > new Date(Date.now() + 5 * 60_000).toISOString());
        if (!open) throw new Error('no open slot');
        const slot = { ...open, capacity: 10_000 };
        await store.sync.push.mutate({
          collection: 'availability',
          rows: [{ assumedMasterState: { ...open, _deleted: false }, newDocumentState: { ...slot, _deleted: false } }],
        });
        const shoppers: Shopper[] = await Promise.all([1, 2].map((n) => createShopper(server, n, `tok_visa_${n}`)));
        const placed = new Map<string, { replica: string; totalCents: number }>();
        const placeSome = async (count: number) => {
          for (let i = 0; i < count; i += 1) {
            const shopper = shoppers[i % shoppers.length]!;
            const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[i % catalog.length]!, count: 1 }], slot });
            placed.set(order.id, { replica: shopper.replica, totalCents: order.totalCents });
          }
        };
        const allProcessed = (what: string) => waitFor(what, () => livePlacedCount(server.dataDir, shoppers) === 0, 45_000);

        processor = startProcessorProcess(server);
        await placeSome(4);
        await allProcessed('the first orders to be processed');

        // Orders placed while the processor is away are in the backup as placed; it processes them after the backup.
        await processor.kill();
        await placeSome(4);
        const backup = join(dir, 'backup');
        expect((await runServerCommand(['backup', '--to', backup, '--data', server.dataDir])).code).toBe(0);
        processor = startProcessorProcess(server);
        await allProcessed('the orders placed before the backup to be processed');

        // The restore brings them back as placed, with a new epoch; the processor keeps running through it.
        await server.stop();
        const restored = await runServerCommand(['restore', '--from', backup, '--data', server.dataDir]);
        expect(restored.code, restored.stderr).toBe(0);
        await server.restart();
        await placeSome(4);
        await allProcessed('every order, brought back or placed after the restore, to be processed');

        expect(auditOrders(server.dataDir, placed)).toEqual([]);
      } finally {
        await processor?.kill();
        await server.stop();
      }
    },
  );
});
