import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditOrders } from './support/audit.ts';
import { startProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount } from './support/server-file.ts';
import { startServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { roomySlot, storeCatalog } from './support/store-setup.ts';

const WINDOW_MS = 60_000;

describe('the order processor while its server restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-processor-reconnect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'watches again a few times, not in a storm, and processes every order once, through a SIGTERM and a SIGKILL',
    { timeout: 150_000 },
    async () => {
      const server = await startServerProcess(dir);
      const processor = startProcessorProcess(server);
      try {
        const store = storeOwnerClient(server);
        const catalog = await storeCatalog(store);
        const slot = await roomySlot(store, 5 * 60_000);
        const shoppers = await Promise.all([1, 2, 3].map((n) => createShopper(server, n, `tok_visa_${n}`)));
        const placed = new Map<string, { replica: string; totalCents: number }>();
        const placeSome = async (count: number) => {
          for (let i = 0; i < count; i += 1) {
            const shopper = shoppers[i % shoppers.length]!;
            const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[i % catalog.length]!, count: 1 }], slot });
            placed.set(order.id, { replica: shopper.replica, totalCents: order.totalCents });
          }
        };
        await placeSome(10);
        await waitFor('the first orders to be processed', () => livePlacedCount(dir, shoppers) === 0, 30_000);
        // The processor keeps two watches, placedOrders and processedOrders (for refunds); each is held to the same bound.
        const restarts = (collection: string) =>
          processor.lines.filter((line) => line['collection'] === collection && String(line['message']).startsWith('watching again'))
            .length;
        const watches = ['placedOrders', 'processedOrders'];

        const before = watches.map(restarts);
        const started = Date.now();
        await server.stop();
        await server.restart();
        await placeSome(10);
        await server.kill();
        await server.restart();
        await placeSome(10);
        await waitFor('every order to be processed', () => livePlacedCount(dir, shoppers) === 0, 45_000);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + WINDOW_MS - Date.now())));

        for (const [index, collection] of watches.entries()) {
          const watchedAgain = restarts(collection) - before[index]!;
          expect(watchedAgain, `two restarts cost a few new watches of ${collection}`).toBeGreaterThanOrEqual(2);
          expect(watchedAgain, `and no storm of them`).toBeLessThan(10);
        }
        expect(auditOrders(dir, placed)).toEqual([]);
      } finally {
        await processor.kill();
        await server.stop();
      }
    },
  );
});
