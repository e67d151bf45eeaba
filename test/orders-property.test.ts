import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notice } from '@pourover/orders';
import type { CatalogItem, Order } from '@pourover/schemas';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lostEdits, type Edit } from './support/lost-edits.ts';
import { liveServerOrders, type LiveOrder } from './support/server-orders.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';
import { WorkerDevice, type EditResult, type OrderSummary } from './support/worker-device.ts';

/**
 * Three devices of the demo shopper, each in its own worker thread (RxDB's
 * open core allows 13 open collections per process, a shop has 6), and one
 * real sync server process. Every run of the property drives them through a
 * random sequence of edits, placements, offline periods, devices closed and
 * reopened, and server restarts, on orders of its own. After every step it
 * checks DESIGN.md's invariants 1 and 2 on the server and on every value each
 * device's order API emitted; whenever the devices settle, and at the end of
 * the run once every device is open and online, that they converged on the
 * server's state, that every edit they made is in an order (or lost only to
 * a concurrent edit of the same key), and that every draft split off a
 * placed order is told of in a notice (3).
 */

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const SEED = 0x2b31_9e7a;
const RUNS = 200;
const DEVICES = 3;
/** Edits touch the first few catalog items only, so that devices often edit the same item. */
const ITEMS = 4;
const SETTLE_MS = 30_000;
/** How long one look waits for a device to have nothing in flight before looking again. */
const SYNC_MS = 2_000;

type Op =
  | { kind: 'create'; device: number }
  | { kind: 'setCount'; device: number; order: number; item: number }
  | { kind: 'addItem'; device: number; order: number; item: number; count: number }
  | { kind: 'setNote'; device: number; order: number }
  | { kind: 'place'; device: number; order: number }
  /** Waits until the open, online devices show what the server holds. */
  | { kind: 'settle' }
  | { kind: 'offline'; device: number }
  | { kind: 'online'; device: number }
  /** Closes the device's shop; the next step on that device (or the end of the run) opens it again. */
  | { kind: 'close'; device: number }
  | { kind: 'restartServer' };

const device = fc.integer({ min: 0, max: DEVICES - 1 });
const order = fc.nat({ max: 7 });
const item = fc.nat({ max: ITEMS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), device }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('setCount' as const), device, order, item }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('addItem' as const), device, order, item, count: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('setNote' as const), device, order }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('place' as const), device, order }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'settle' as const }) },
  // Reconnecting takes about 3 s (the live stream's retry), so these are rare.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('online' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), device }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restartServer' as const }) },
);
/** Every run starts with a draft, so the steps after it have an order to work on. */
const runs = fc.tuple(device, fc.array(op, { minLength: 2, maxLength: 11 }));

type Run = {
  /** Emissions of devices carry the number of the run they began last; only this run's count here. */
  number: number;
  /** The run's orders, in the order they were first seen: drafts it made, and drafts the server split off them. */
  orders: string[];
  created: string[];
  edits: Edit[];
  /** Per device, the run's orders it has shown. */
  shown: Set<string>[];
  offline: Set<number>;
  closed: Set<number>;
  /** Counts used per item in this run, so each count set identifies its edit. */
  counts: Map<string, Set<number>>;
  notes: number;
  log: string[];
};

type Comparable = { id: string; status: string; lines: { itemId: string; count: number }[]; note: string; splitFrom: string | null };

const comparable = (order: OrderSummary | Order): Comparable => ({
  id: order.id,
  status: order.status,
  lines: order.lines.map((line) => ({ itemId: line.itemId, count: line.count })).sort((a, b) => a.itemId.localeCompare(b.itemId)),
  note: order.note,
  splitFrom: order.splitFrom ?? null,
});

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

function fail(problems: string[]) {
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

describe('three devices of one shopper against one real server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-property-'));
  let server: ServerProcess;
  let devices: WorkerDevice[] = [];
  let items: CatalogItem[] = [];

  beforeAll(async () => {
    server = await startServerProcess(dir);
    devices = await Promise.all(Array.from({ length: DEVICES }, (_, n) => WorkerDevice.start(server, `property-${n}`)));
    items = (await devices[0]!.catalog()).slice(0, ITEMS);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The run's orders on the server: the drafts it made and every draft split off them, each where it lives now. */
  function serverOrders(run: Run): { orders: Order[]; problems: string[] } {
    const live = liveServerOrders(dir, REPLICA);
    const family = new Set(run.created);
    for (let grew = true; grew;) {
      grew = false;
      for (const { order } of live) {
        if (order.splitFrom && family.has(order.splitFrom) && !family.has(order.id)) {
          family.add(order.id);
          grew = true;
        }
      }
    }
    const problems: string[] = [];
    const found = new Map<string, LiveOrder[]>();
    for (const entry of live) if (family.has(entry.order.id)) found.set(entry.order.id, [...(found.get(entry.order.id) ?? []), entry]);
    for (const [id, places] of found) {
      if (places.length > 1) problems.push(`order ${id} is in ${places.map((p) => p.collection).join(' and ')} at once on the server`);
    }
    // Where an order is in several collections, the API shows where it went furthest; so does this.
    const orders = [...found.values()].map((places) => places.at(-1)!.order);
    return { orders, problems };
  }

  /** Hands over the devices' new `orders$` emissions and checks invariant 2 on each; returns the problems. */
  function checkEmissions(run: Run, after: string): string[] {
    const problems: string[] = [];
    devices.forEach((d, n) => {
      for (const emission of d.take()) {
        const where = `device ${n}, emission ${emission.seq}, after ${after}`;
        if (emission.duplicates.length > 0) problems.push(`${where}: shows ${emission.duplicates.join(', ')} more than once`);
        if (emission.missing.length > 0)
          problems.push(`${where}: no longer shows ${emission.missing.join(', ')} (of ${emission.total + emission.missing.length})`);
        if (emission.epoch !== run.number) continue;
        const counts = new Map<string, number>();
        for (const order of emission.run) counts.set(order.id, (counts.get(order.id) ?? 0) + 1);
        for (const id of run.shown[n]!) {
          if (counts.get(id) !== 1) problems.push(`${where}: shows run order ${id} ${counts.get(id) ?? 0} times`);
        }
        for (const order of emission.run) {
          run.shown[n]!.add(order.id);
          if (!run.orders.includes(order.id)) run.orders.push(order.id);
        }
      }
    });
    return problems;
  }

  async function reopen(run: Run, n: number) {
    if (!run.closed.has(n)) return;
    await devices[n]!.reopen();
    run.closed.delete(n);
  }

  /**
   * Waits until the given devices have nothing left in flight and show
   * exactly the run's orders the server holds, the same way; returns them.
   */
  async function converge(run: Run, which: number[], what: string): Promise<Order[]> {
    let last = '';
    let converged: Order[] = [];
    try {
      await waitFor(
        what,
        async () => {
          const synced = await Promise.all(which.map((n) => devices[n]!.inSync(SYNC_MS)));
          if (!synced.every(Boolean)) {
            last = `devices ${which.filter((_, i) => !synced[i]).join(', ')} still have changes in flight`;
            return false;
          }
          const { orders, problems } = serverOrders(run);
          converged = orders;
          if (problems.length > 0) throw new Error(problems.join('\n'));
          const expected = JSON.stringify(orders.map(comparable).sort(byId));
          const shown = await Promise.all(which.map((n) => devices[n]!.snapshot()));
          const views = shown.map((orders) => JSON.stringify((orders ?? []).map(comparable).sort(byId)));
          last = `server: ${expected}\n${views.map((view, i) => `device ${which[i]}: ${view}`).join('\n')}`;
          return views.every((view) => view === expected);
        },
        SETTLE_MS,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${last}`, { cause: error });
    }
    return converged;
  }

  /**
   * Once `which` devices converged on the server's `orders`: each edit they
   * made is kept, and each draft split off an order is told of on each of them.
   */
  async function checkSettled(run: Run, orders: Order[], which: number[]): Promise<string[]> {
    const splits = orders.filter((o) => o.status === 'draft' && o.splitFrom);
    const notices = await Promise.all(which.map((n) => devices[n]!.notices()));
    return [
      ...lostEdits(run.edits, orders, which),
      ...notices.flatMap((list: Notice[], i) =>
        splits
          .filter(
            (split) =>
              !list.some((notice) => notice.kind === 'split' && notice.draftId === split.id && notice.fromOrderId === split.splitFrom),
          )
          .map(
            (split) =>
              `device ${which[i]} does not tell of draft ${split.id} split off ${split.splitFrom}; it tells ${JSON.stringify(list)}`,
          ),
      ),
    ];
  }

  function nextCount(run: Run, itemId: string): number {
    const used = run.counts.get(itemId) ?? new Set<number>();
    let count = 1;
    while (used.has(count)) count += 1;
    return count;
  }

  function track(run: Run, step: number, n: number, orderId: string, key: string, result: EditResult) {
    if (!result.accepted) {
      run.log.push(`  refused: ${result.error}`);
      return;
    }
    run.edits.push({ step, device: n, orderId, key, before: result.before, after: result.after });
    if (typeof result.after === 'number') {
      const used = run.counts.get(key) ?? new Set<number>();
      run.counts.set(key, used.add(result.after));
    }
    run.log.push(
      `  ${key === 'note' ? 'note' : `item ${items.findIndex((i) => i.id === key)}`}: ${JSON.stringify(result.before)} → ${JSON.stringify(result.after)}`,
    );
  }

  async function step(run: Run, index: number, op: Op) {
    const target = (pick: number) => run.orders[pick % Math.max(1, run.orders.length)];
    if ('device' in op) await reopen(run, op.device);
    const d = 'device' in op ? devices[op.device]! : undefined;
    switch (op.kind) {
      case 'create': {
        const id = await d!.createDraft();
        run.created.push(id);
        if (!run.orders.includes(id)) run.orders.push(id);
        run.log.push(`${index}: device ${op.device} creates ${id}`);
        return;
      }
      case 'setCount':
      case 'addItem':
      case 'setNote': {
        const orderId = target(op.order);
        if (!orderId) return;
        if (op.kind === 'setNote') {
          const note = `run ${run.number} note ${++run.notes}`;
          run.log.push(`${index}: device ${op.device} sets the note of ${orderId} to ${note}`);
          track(run, index, op.device, orderId, 'note', await d!.setNote(orderId, note));
          return;
        }
        const itemId = items[op.item]!.id;
        if (op.kind === 'setCount') {
          const count = nextCount(run, itemId);
          run.log.push(`${index}: device ${op.device} sets item ${op.item} of ${orderId} to ${count}`);
          track(run, index, op.device, orderId, itemId, await d!.setCount(orderId, itemId, count));
        } else {
          run.log.push(`${index}: device ${op.device} adds ${op.count} of item ${op.item} to ${orderId}`);
          track(run, index, op.device, orderId, itemId, await d!.addItem(orderId, itemId, op.count));
        }
        return;
      }
      case 'place': {
        const orderId = target(op.order);
        if (!orderId) return;
        const result = await d!.place(orderId);
        run.log.push(`${index}: device ${op.device} places ${orderId}${result.accepted ? '' : ` (refused: ${result.error})`}`);
        return;
      }
      case 'settle': {
        run.log.push(`${index}: settle`);
        const which = devices.map((_, n) => n).filter((n) => !run.offline.has(n) && !run.closed.has(n));
        const orders = await converge(run, which, `devices ${which.join(', ')} to show what the server holds`);
        fail(await checkSettled(run, orders, which));
        return;
      }
      case 'offline':
        run.log.push(`${index}: device ${op.device} goes offline`);
        run.offline.add(op.device);
        await d!.offline();
        return;
      case 'online':
        run.log.push(`${index}: device ${op.device} comes online`);
        run.offline.delete(op.device);
        await d!.online();
        return;
      case 'close':
        run.log.push(`${index}: device ${op.device} closes`);
        await d!.close();
        run.closed.add(op.device);
        return;
      case 'restartServer':
        run.log.push(`${index}: the server restarts`);
        await server.stop();
        await server.restart();
        return;
    }
  }

  it(
    'keeps every order on every device exactly once at every step, converges, and loses no edit silently',
    async () => {
      let number = 0;
      let timing = Date.now();
      await fc.assert(
        fc.asyncProperty(runs, async ([first, ops]) => {
          const run: Run = {
            number: ++number,
            orders: [],
            created: [],
            edits: [],
            shown: devices.map(() => new Set<string>()),
            offline: new Set(),
            closed: new Set(),
            counts: new Map(),
            notes: 0,
            log: [],
          };
          try {
            fail(checkEmissions(run, 'the previous run'));
            await Promise.all(devices.map((d) => d.beginRun(run.number)));
            await step(run, 0, { kind: 'create', device: first });
            fail(checkEmissions(run, 'step 0'));
            for (const [index, next] of ops.entries()) {
              await step(run, index + 1, next);
              fail([...checkEmissions(run, `step ${index + 1} (${next.kind})`), ...serverOrders(run).problems]);
            }

            run.log.push('end: every device open and online');
            for (const n of devices.keys()) {
              await reopen(run, n);
              if (run.offline.delete(n)) await devices[n]!.online();
            }
            const all = [...devices.keys()];
            const orders = await converge(run, all, 'every device to show what the server holds');
            fail([...checkEmissions(run, 'the end'), ...(await checkSettled(run, orders, all))]);
          } catch (error) {
            (error as Error).message += `\n\nrun ${run.number}:\n${run.log.join('\n')}`;
            throw error;
          }
          if (run.number % 20 === 0) {
            console.log(`orders-property: ${run.number} runs, the last 20 in ${((Date.now() - timing) / 1000).toFixed(1)} s`);
            timing = Date.now();
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      expect(number).toBe(RUNS);
    },
    20 * 60_000,
  );
});
