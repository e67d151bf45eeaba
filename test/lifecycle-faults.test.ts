import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { finalStatuses, type Delivery, type Order } from '@pourover/schemas';
import { createSyncClient } from '@pourover/sync-client';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceKeys } from '../sync-server/test/support/device-keys.ts';
import { askToCancel } from './support/fulfilment.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { auditStore, refundsSettled } from './support/store-audit.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { availableCatalog, newSlot } from './support/store-setup.ts';

const ORDERS = 500;
const SHOPPERS = 5;
const DRIVERS = 2;
const PROCESSOR_KILLS = 20;
const SERVER_RESTARTS = 5;
const SEED = 20261205;
const PROCESSOR_ARGS = ['--lease-ttl-ms', '1500'];

type Client = ReturnType<typeof createSyncClient>;
type Driver = { id: string; phone: Client };
type Placed = { shopper: Shopper; id: string };

/** A call that may meet a server restarting: its answer, or nothing (the script tries again on its next turn). */
async function tried<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch {
    return undefined;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The whole fulfilment under faults: scripted shoppers place 500 orders and
 * ask to cancel some; a scripted owner prepares, readies, assigns, and
 * cancels or rejects some; scripted drivers mark theirs picked up and
 * delivered. Meanwhile the processor is SIGKILLed 20 times and the server
 * restarted 5 times. At the end every order is in exactly one final state,
 * the money follows (net charges equal the delivered orders' totals, every
 * refund once) and every slot's places equal its orders (the audit).
 */
describe('500 orders through their whole lifecycle, with the processor and the server killed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-lifecycle-faults-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends every order once, with the money and the slots agreeing', { timeout: 900_000 }, async () => {
    const server: ServerProcess = await startServerProcess(dir);
    let processor: ProcessorProcess | undefined;
    const random = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), { seed: SEED, numRuns: 20_000 });
    let drawn = 0;
    const pick = (n: number) => (random[drawn++ % random.length] ?? 0) % n;
    try {
      const store = storeOwnerClient(server);
      const catalog = await availableCatalog(store);
      const slot = await newSlot(store);
      const shoppers = await Promise.all(Array.from({ length: SHOPPERS }, (_, n) => createShopper(server, n + 1, `tok_visa_${n + 1}`)));
      const drivers: Driver[] = [];
      for (let n = 0; n < DRIVERS; n += 1) {
        const driver = await store.drivers.create.mutate({ name: `Driver ${n + 1}` });
        const { code } = await store.drivers.createPairingCode.mutate({ driverId: driver.id });
        const { publicKey } = await deviceKeys();
        const { token } = await createSyncClient({ url: server.url, token: () => '' }).drivers.signIn.mutate({
          code,
          device: 'phone',
          publicKey,
        });
        drivers.push({ id: driver.id, phone: createSyncClient({ url: server.url, token: () => token }) });
      }
      processor = startProcessorProcess(server, PROCESSOR_ARGS);

      const placed: Placed[] = [];
      let placing = true;
      // Shoppers: place every order; one in ten asks to cancel it a little later.
      const shopping = (async () => {
        for (let i = 0; i < ORDERS; i += 1) {
          const shopper = shoppers[i % SHOPPERS]!;
          const id = randomUUID();
          const items = [{ item: catalog[i % catalog.length]!, count: 1 + (i % 3) }];
          while (!(await tried(() => placeOrder(shopper, { id, items, slot })))) await pause(100);
          placed.push({ shopper, id });
          if (pick(10) === 0) {
            const asked = placed[pick(placed.length)]!;
            await tried(() => askToCancel(asked.shopper, asked.id));
          }
        }
        placing = false;
      })();

      // The owner: moves each processed order on by one step per turn; ends one in twenty itself.
      const owner = async () => {
        for (const shopper of shoppers) {
          const ids = placed.filter((order) => order.shopper === shopper).map((order) => order.id);
          for (let start = 0; start < ids.length; start += 100) {
            const answer = await tried(() =>
              store.sync.get.query({ collection: 'processedOrders', ids: ids.slice(start, start + 100), replica: shopper.replica }),
            );
            for (const document of answer?.documents ?? []) {
              if (document._deleted) continue;
              const order = document as unknown as Order;
              const next: Partial<Order> | undefined =
                pick(20) === 0 && !finalStatuses.includes(order.status)
                  ? pick(2) === 0
                    ? { status: 'cancelled', cancelReason: 'the owner cancelled it' }
                    : { status: 'rejected', rejectReason: 'the owner turned it down' }
                  : order.status === 'received'
                    ? { status: 'preparing' }
                    : order.status === 'preparing'
                      ? { status: 'ready', driverId: drivers[pick(DRIVERS)]!.id }
                      : undefined;
              if (!next) continue;
              await tried(() =>
                store.sync.batch.mutate({
                  replica: shopper.replica,
                  operations: [
                    { collection: 'processedOrders', precondition: { kind: 'equals', state: document }, write: { ...document, ...next } },
                  ],
                }),
              );
            }
          }
        }
      };

      // Drivers: mark each delivery picked up, then delivered; one in five is marked delivered straight away (offline all along).
      const driving = async (driver: Driver) => {
        const answer = await tried(() => driver.phone.sync.pull.query({ collection: 'deliveries', checkpoint: null, limit: 1_000 }));
        for (const document of answer?.documents ?? []) {
          const delivery = document as unknown as Delivery & { _deleted: boolean };
          if (delivery._deleted || (delivery.status !== 'assigned' && delivery.status !== 'pickedUp')) continue;
          const status = delivery.status === 'assigned' && pick(5) !== 0 ? 'pickedUp' : 'delivered';
          await tried(() =>
            driver.phone.sync.push.mutate({
              collection: 'deliveries',
              rows: [{ assumedMasterState: document as WireDocument, newDocumentState: { ...(document as WireDocument), status } }],
            }),
          );
        }
      };

      const allEnded = async () => {
        let ended = 0;
        for (const shopper of shoppers) {
          const ids = placed.filter((order) => order.shopper === shopper).map((order) => order.id);
          for (let start = 0; start < ids.length; start += 100) {
            const answer = await tried(() =>
              store.sync.get.query({ collection: 'processedOrders', ids: ids.slice(start, start + 100), replica: shopper.replica }),
            );
            ended += (answer?.documents ?? []).filter(
              (doc) => !doc._deleted && finalStatuses.includes((doc as unknown as Order).status),
            ).length;
          }
        }
        return ended === ORDERS;
      };

      // The faults: the processor SIGKILLed and started again, the server restarted, at random moments while all this goes on.
      let faults = 0;
      const faulting = (async () => {
        for (let kill = 0; kill < PROCESSOR_KILLS; kill += 1) {
          await pause(500 + pick(2_500));
          await processor?.kill();
          processor = startProcessorProcess(server, PROCESSOR_ARGS);
          if (kill % (PROCESSOR_KILLS / SERVER_RESTARTS) === 0) {
            await server.kill();
            await server.restart();
          }
          faults += 1;
        }
      })();

      const deadline = Date.now() + 600_000;
      while (placing || faults < PROCESSOR_KILLS || !(await allEnded())) {
        if (Date.now() > deadline) throw new Error(`the orders did not all end within 10 minutes (${placed.length} placed)`);
        await owner();
        await Promise.all(drivers.map(driving));
        await pause(200);
      }
      await Promise.all([shopping, faulting]);
      await waitFor('every refund settled', () => refundsSettled(dir), 120_000);

      const statuses = new Map<string, number>();
      for (const shopper of shoppers) {
        const ids = placed.filter((order) => order.shopper === shopper).map((order) => order.id);
        for (let start = 0; start < ids.length; start += 100) {
          const { documents } = await store.sync.get.query({
            collection: 'processedOrders',
            ids: ids.slice(start, start + 100),
            replica: shopper.replica,
          });
          for (const doc of documents) statuses.set(String(doc['status']), (statuses.get(String(doc['status'])) ?? 0) + 1);
        }
      }
      console.info(`final states: ${JSON.stringify(Object.fromEntries(statuses))}`);
      expect([...statuses.keys()].every((status) => finalStatuses.includes(status as Order['status']))).toBe(true);
      expect([...statuses.values()].reduce((sum, n) => sum + n, 0)).toBe(ORDERS);
      expect(statuses.get('delivered') ?? 0).toBeGreaterThan(ORDERS / 2);
      expect(statuses.get('cancelled') ?? 0).toBeGreaterThan(0);
      expect(auditStore(dir, { catalog: new Map(catalog.map((item) => [item.id, item])) })).toEqual([]);
    } finally {
      await processor?.kill();
      await server.stop();
    }
  });
});
