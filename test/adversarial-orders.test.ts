import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushRequest, WireDocument } from '@pourover/protocol';
import { createSyncClient, type SyncClient } from '@pourover/sync-client';
import type { CatalogItem, DeliverySlot } from '@pourover/schemas';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { TRPCClientError } from '@trpc/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORGED, hostileDraft, ops, type Op, type Stock } from './support/hostile-ops.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount, readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { shopperId } from './support/shoppers.ts';
import { auditStore } from './support/store-audit.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { storeCatalog } from './support/store-setup.ts';

/**
 * Shoppers' devices that break every order rule they can, against one real
 * server and its real processor: unknown, unavailable and removed items,
 * counts past the limit, wrong totals, closed, full and missing slots,
 * forged times, statuses, reasons and prices, declined and missing cards,
 * orders placed again or under another shopper's id, replayed pushes and
 * batches past the push; and the processor and the server SIGKILLed
 * between steps and during pushes. After every run, once the processor has
 * nothing left, the store and the payment ledger are audited.
 */

const SEED = 0x20_2612_04;
const RUNS = 200;
const SHOPPERS = 3;
const PROCESSOR_ARGS = ['--lease-ttl-ms', '1500'];

type Device = { client: SyncClient };
type Shopper = { id: string; replica: string; devices: Device[] };

describe('hostile shoppers against one server and its processor, both killed at random', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-adversarial-'));
  let server: ServerProcess;
  let processor: ProcessorProcess;
  let stock: Stock;
  let shoppers: Shopper[];
  const catalog = new Map<string, CatalogItem>();
  /** Orders placed so far (by any op), for the steps that place them again. */
  const placedBefore: { shopper: number; id: string }[] = [];
  const internalErrors: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess(dir);
    processor = startProcessorProcess(server, PROCESSOR_ARGS);
    const store = storeOwnerClient(server);
    const items = await storeCatalog(store);
    const base = items[0]!;
    const unavailable = { ...base, id: randomUUID(), name: 'Sold out blend', available: false };
    const removed = { ...base, id: randomUUID(), name: 'Discontinued blend' };
    await store.sync.push.mutate({
      collection: 'catalog',
      rows: [unavailable, removed].map((item) => ({ assumedMasterState: null, newDocumentState: { ...item, _deleted: false } })),
    });
    await store.sync.push.mutate({
      collection: 'catalog',
      rows: [{ assumedMasterState: { ...removed, _deleted: false }, newDocumentState: { ...removed, _deleted: true } }],
    });
    for (const item of [...items, unavailable]) catalog.set(item.id, item);
    const later = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const slot = (capacity: number, cutoff: string): DeliverySlot => ({
      id: randomUUID(),
      start: later(48),
      end: later(50),
      capacity,
      taken: 0,
      cutoff,
    });
    const slots = { roomy: slot(10_000, later(47)), tiny: slot(2, later(47)), closed: slot(10, later(-1)) };
    await store.sync.push.mutate({
      collection: 'availability',
      rows: Object.values(slots).map((s) => ({ assumedMasterState: null, newDocumentState: { ...s, _deleted: false } })),
    });
    stock = {
      sold: items.filter((item) => item.available).map((item) => ({ id: item.id, priceCents: item.priceCents })),
      unavailable: unavailable.id,
      removed: removed.id,
      slots: { roomy: slots.roomy.id, tiny: slots.tiny.id, closed: slots.closed.id },
    };
    const key = loadServerKey(join(dir, 'server-key.pem'));
    shoppers = await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, n) => {
        const id = shopperId(100 + n);
        const replica = `bluebottle:users:${id}`;
        const devices = [0, 1].map((d) => {
          const token = signBlessing(key, { name: `${replica}:hostile-${d}`, ttlSeconds: 3 * 3600 });
          return { client: createSyncClient({ url: server.url, token: () => token }) };
        });
        const profile = {
          id,
          name: `Hostile ${n}`,
          email: `h${n}@example.com`,
          address: `${n} Hostile St`,
          paymentToken: 'tok_visa_card',
          _deleted: false,
        };
        await devices[0]!.client.sync.push.mutate({ collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: profile }] });
        return { id, replica, devices };
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await processor?.kill();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a call; a refusal is the point, but a 500 is a failure, and a call cut off by a kill is nothing. */
  async function guarded<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'INTERNAL')
        internalErrors.push(`${what}: ${error.message}`);
      return undefined;
    }
  }

  async function profileOf(shopper: Shopper): Promise<WireDocument | undefined> {
    return (await guarded('read a profile', () => shopper.devices[0]!.client.sync.get.query({ collection: 'user', ids: [shopper.id] })))
      ?.documents[0];
  }

  async function step(op: Op, run: { orders: string[]; pushes: { device: Device; input: PushRequest }[]; log: string[] }) {
    const push = (device: Device, input: PushRequest) => {
      run.pushes.push({ device, input });
      return guarded(`push ${input.collection}`, () => device.client.sync.push.mutate(input));
    };
    switch (op.kind) {
      case 'draft':
      case 'place': {
        const shopper = shoppers[op.shopper]!;
        const id = (run.orders[op.order] ??= randomUUID());
        const document = hostileDraft(stock, id, op.kind === 'place' ? 'placing' : 'draft', op.spec);
        if (op.kind === 'place') placedBefore.push({ shopper: op.shopper, id });
        run.log.push(`${op.kind} ${id.slice(0, 8)} by shopper ${op.shopper}: ${JSON.stringify(op.spec)}`);
        return push(shopper.devices[op.device]!, {
          collection: 'draftOrders',
          rows: [{ assumedMasterState: null, newDocumentState: document }],
        });
      }
      case 'revive': {
        const target = placedBefore[op.pick % Math.max(1, placedBefore.length)];
        if (!target) return;
        const shopper = shoppers[target.shopper]!;
        const device = shopper.devices[op.device]!;
        const [tombstone] =
          (await guarded('read a draft', () => device.client.sync.get.query({ collection: 'draftOrders', ids: [target.id] })))?.documents ??
          [];
        const revived = {
          ...(tombstone ??
            hostileDraft(stock, target.id, 'placing', {
              items: [{ kind: 'sold', pick: 0, count: 1 }],
              slot: 'roomy',
              total: 'right',
              forge: { times: false, status: false, reasons: false, splitFrom: false, prices: false },
              payment: 'seen',
            })),
          status: 'placing',
          _deleted: false,
        };
        run.log.push(
          `revive ${target.id.slice(0, 8)} of shopper ${target.shopper} over ${op.overTombstone && tombstone ? 'its tombstone' : 'nothing'}`,
        );
        return push(device, {
          collection: 'draftOrders',
          rows: [{ assumedMasterState: op.overTombstone && tombstone ? tombstone : null, newDocumentState: revived }],
        });
      }
      case 'steal': {
        const target = placedBefore[op.pick % Math.max(1, placedBefore.length)];
        if (!target || target.shopper === op.shopper) return;
        run.log.push(`steal: shopper ${op.shopper} places under ${target.id.slice(0, 8)} of shopper ${target.shopper}`);
        return push(shoppers[op.shopper]!.devices[op.device]!, {
          collection: 'draftOrders',
          rows: [{ assumedMasterState: null, newDocumentState: hostileDraft(stock, target.id, 'placing', op.spec) }],
        });
      }
      case 'replay': {
        const earlier = run.pushes[op.pick % Math.max(1, run.pushes.length)];
        if (!earlier) return;
        run.log.push(`replay a push of ${earlier.input.rows.map((row) => row.newDocumentState.id.slice(0, 8)).join(', ')}`);
        return guarded('replay', () => earlier.device.client.sync.push.mutate(earlier.input));
      }
      case 'batch': {
        const shopper = shoppers[op.shopper]!;
        const write =
          op.target === 'availability'
            ? { collection: 'availability' as const, increment: { id: stock.slots.tiny, field: 'taken', by: -1 } }
            : {
                collection: op.target,
                write: hostileDraft(stock, randomUUID(), 'draft', {
                  items: [{ kind: 'sold', pick: 0, count: 1 }],
                  slot: 'roomy',
                  total: 'zero',
                  forge: { times: false, status: true, reasons: false, splitFrom: false, prices: true },
                  payment: 'none',
                }),
              };
        run.log.push(`batch into ${op.target} by shopper ${op.shopper}`);
        const answer = await guarded('batch', () => shopper.devices[op.device]!.client.sync.batch.mutate({ operations: [write] }));
        if (answer?.ok) throw new Error(`a device's batch into ${op.target} was applied`);
        return;
      }
      case 'card': {
        const shopper = shoppers[op.shopper]!;
        const profile = await profileOf(shopper);
        if (!profile) return;
        run.log.push(`shopper ${op.shopper} switches to card ${JSON.stringify(op.card)}`);
        return push(shopper.devices[0]!, {
          collection: 'user',
          rows: [{ assumedMasterState: profile, newDocumentState: { ...profile, paymentToken: op.card } }],
        });
      }
      case 'killProcessor':
        run.log.push('SIGKILL the processor');
        await processor.kill();
        processor = startProcessorProcess(server, PROCESSOR_ARGS);
        return;
      case 'killServer': {
        run.log.push(`SIGKILL the server${op.midPush ? ' during a push' : ''}`);
        const shopper = shoppers[0]!;
        const id = randomUUID();
        const inFlight = op.midPush
          ? push(shopper.devices[0]!, {
              collection: 'draftOrders',
              rows: [
                {
                  assumedMasterState: null,
                  newDocumentState: hostileDraft(stock, id, 'placing', {
                    items: [{ kind: 'sold', pick: 1, count: 1 }],
                    slot: 'roomy',
                    total: 'right',
                    forge: { times: false, status: false, reasons: false, splitFrom: false, prices: false },
                    payment: 'seen',
                  }),
                },
              ],
            })
          : undefined;
        if (op.midPush) placedBefore.push({ shopper: 0, id });
        await new Promise((resolve) => setTimeout(resolve, 3));
        await server.kill();
        await inFlight;
        await server.restart();
        return;
      }
    }
  }

  it(
    'keeps every order priced from the catalog, charged once on its card, in one place, and every slot true',
    async () => {
      let number = 0;
      await fc.assert(
        fc.asyncProperty(ops(SHOPPERS), async (steps) => {
          const run = {
            number: ++number,
            orders: [] as string[],
            pushes: [] as { device: Device; input: PushRequest }[],
            log: [] as string[],
          };
          try {
            for (const op of steps) await step(op, run);
            await waitFor('the processor to take every placed order', () => livePlacedCount(dir, shoppers) === 0, 60_000);
            const problems = [
              ...auditStore(dir, {
                catalog,
                forged: { timePrefix: FORGED.timePrefix, reason: FORGED.reason, splitFrom: new Set([FORGED.splitFrom]) },
              }),
              ...internalErrors,
            ];
            if (problems.length > 0) throw new Error(problems.join('\n'));
          } catch (error) {
            (error as Error).message += `\n\nrun ${run.number}:\n${run.log.join('\n')}`;
            throw error;
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      expect(number).toBe(RUNS);
      // The runs did what they are for: orders were received, rejected, and refused.
      const file = readServerFile(dir);
      const statuses = shoppers.flatMap((s) => file.documents(s.replica, 'processedOrders').map((row) => row.document['status']));
      const refused = shoppers.flatMap((s) =>
        file.documents(s.replica, 'draftOrders').filter((row) => row.document['refusal'] !== undefined),
      );
      file.close();
      expect(statuses).toContain('received');
      expect(statuses).toContain('rejected');
      expect(refused.length).toBeGreaterThan(0);
    },
    15 * 60_000,
  );
});
