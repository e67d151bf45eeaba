import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeliverySlot, Order } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessorProcess, type ProcessorProcess } from '../support/processor-process.ts';
import { storeOwnerClient } from '../support/store-owner.ts';
import { axeViolations } from './axe-violations.ts';
import { addSoonSlot, openOwnerPage } from './owner-setup.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

/** Screenshots land here, kept as the run's artifacts (ignored by git). */
const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));
const DEMO_REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

describe('the owner’s dashboards, with a real server and processor', () => {
  const served = servedShop('fulfilment');
  let processor: ProcessorProcess | undefined;

  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
    processor = startProcessorProcess(served.server, ['--lease-ttl-ms', '2000']);
  });
  afterAll(async () => {
    await processor?.kill();
  });

  it('show a placed order live with its customer, items and slot, move it through prep, ready, out and delivered, and cancel another, each live on the shopper’s page', async () => {
    const slot = await addSoonSlot(served, 5);
    const store = storeOwnerClient(served.server);
    const processed = async (id: string) => {
      const [current] = (await store.sync.get.query({ collection: 'processedOrders', replica: DEMO_REPLICA, ids: [id] })).documents;
      if (!current) throw new Error(`order ${id} is not processed`);
      return current;
    };

    const ownerContext = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    const owner = await openOwnerPage(served, ownerContext);
    await owner.getByRole('heading', { name: /^Placed \(0\)$/ }).waitFor();
    const nav = owner.getByRole('navigation', { name: 'Owner' });
    const health = owner.getByRole('region', { name: 'Order processor' });
    await health.getByText(/^Running: processor .+ holds the lease until/).waitFor({ timeout: 15_000 });

    const shopper = await openShop(await served.browser.newContext(), served.server.url);
    await shopper.signInAsDemo('phone');
    await shopper.waitUpToDate();
    await shopper.add('Three Africas');
    await shopper.add('Three Africas');
    await shopper.add('Pour-over Kettle');
    await shopper.chooseSlot(slot.id);
    await shopper.page.getByLabel('Note for the courier').fill('Ring twice, the bell is quiet.');
    await shopper.place();

    // The processor receives it; the board shows it without a reload, with what it takes to make and deliver it.
    const received = owner.getByRole('list', { name: 'Received orders' }).locator('li.board-order');
    await received.first().waitFor({ timeout: 20_000 });
    const card = received.first();
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('Demo Shopper');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('300 Webster St, Oakland, CA');
    expect(text).toMatch(/2 ×\s*Three Africas/);
    expect(text).toMatch(/1 ×\s*Pour-over Kettle/);
    expect(text).toContain('Ring twice, the bell is quiet.');
    expect(text).toContain('3 items');
    const hour = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });
    expect(text).toContain(`–${hour.format(new Date(slot.end))}`);
    expect(text).toMatch(/Received since/);
    await health.getByText('0 orders waiting').waitFor();
    expect(await health.getByText('None yet').count()).toBe(0);
    const orderId = (await card.getAttribute('data-order-id')) ?? '';

    // Another device starts preparing it first: the owner's own click changes nothing and says what happened.
    let raced = false;
    await owner.route('**/trpc/sync.batch*', async (route) => {
      if (!raced) {
        raced = true;
        const current = await processed(orderId);
        const moved = await store.sync.batch.mutate({
          replica: DEMO_REPLICA,
          operations: [
            { collection: 'processedOrders', precondition: { kind: 'equals', state: current }, write: { ...current, status: 'preparing' } },
          ],
        });
        expect(moved.ok).toBe(true);
      }
      await route.continue();
    });
    await card.getByRole('button', { name: /^Start preparing/ }).click();
    await owner
      .getByRole('alert')
      .getByText(/This order became Preparing meanwhile, from another device\. It is now Preparing\./)
      .waitFor();
    await owner.unroute('**/trpc/sync.batch*');
    const preparing = owner.getByRole('list', { name: 'Orders being prepared' }).locator(`li[data-order-id="${orderId}"]`);
    await preparing.waitFor();
    await shopper.waitForOrder(/prepar/i);

    await preparing.getByRole('button', { name: /^Ready/ }).click();
    const ready = owner.getByRole('list', { name: 'Orders ready' }).locator(`li[data-order-id="${orderId}"]`);
    await ready.waitFor();
    expect(await ready.textContent()).toMatch(/Ready since/);
    await shopper.waitForOrder(/ready/i);

    const problems: Record<string, string[]> = {};
    const look = async (screen: string) => {
      for (const width of [1280, 375]) {
        await owner.setViewportSize({ width, height: 900 });
        await owner.screenshot({ path: join(artifacts, `${screen}-${width}.png`), fullPage: true });
        problems[`${screen}-${width}`] = (await axeViolations(owner)).filter((v) => /^(serious|critical)/.test(v));
      }
      await owner.setViewportSize({ width: 1280, height: 900 });
    };
    await look('owner-orders');

    // On Deliveries it waits for a driver; with none yet, the board says where to add one and holds the order back.
    await nav.getByRole('link', { name: 'Deliveries' }).click();
    const pending = owner.getByRole('list', { name: 'Waiting for a driver' }).locator(`li[data-order-id="${orderId}"]`);
    await pending.waitFor();
    await owner.getByText('No drivers yet — add one under Drivers.').waitFor();
    expect(await pending.getByRole('button', { name: /^Out for delivery/ }).isDisabled()).toBe(true);
    expect(await pending.getByText('Assign a driver first.').count()).toBe(1);
    await look('owner-deliveries');

    // A driver assigned (by another device: drivers' own sign-in is not here yet) shows live; the owner sends it out, then confirms delivery.
    const atStore = await processed(orderId);
    const assigned = await store.sync.batch.mutate({
      replica: DEMO_REPLICA,
      operations: [
        { collection: 'processedOrders', precondition: { kind: 'equals', state: atStore }, write: { ...atStore, driverId: 'driver-dana' } },
      ],
    });
    expect(assigned.ok).toBe(true);
    const withDriver = owner.getByRole('list', { name: 'Driver assigned' }).locator(`li[data-order-id="${orderId}"]`);
    await withDriver.getByText('Driver: driver-dana').waitFor();
    await withDriver.getByRole('button', { name: /^Out for delivery/ }).click();
    const onTheRoad = owner.getByRole('list', { name: 'Out for delivery' }).locator(`li[data-order-id="${orderId}"]`);
    await onTheRoad.getByRole('button', { name: /^Delivered/ }).click();
    await onTheRoad.waitFor({ state: 'detached' });
    await shopper.waitForOrder(/delivered/i);
    expect(((await processed(orderId)) as unknown as Order).steps?.map((step) => step.status)).toEqual([
      'received',
      'preparing',
      'ready',
      'outForDelivery',
      'delivered',
    ]);

    // A second order, cancelled by the store with a reason: the shopper reads it, and the slot's place comes back.
    await shopper.add('Three Africas');
    await shopper.chooseSlot(slot.id);
    await shopper.place();
    await nav.getByRole('link', { name: 'Orders' }).click();
    const second = owner.getByRole('list', { name: 'Received orders' }).locator('li.board-order');
    await second.first().waitFor({ timeout: 20_000 });
    const secondId = (await second.first().getAttribute('data-order-id')) ?? '';
    expect(secondId).not.toBe(orderId);
    await second
      .first()
      .getByRole('button', { name: /^Cancel/ })
      .click();
    await second
      .first()
      .getByLabel(/^Reason for cancelling/)
      .fill('Out of Three Africas today');
    await second.first().getByRole('button', { name: 'Cancel order' }).click();
    const done = owner.locator('details.board-done');
    await done.getByText('Done (2)').click();
    await done.locator(`li[data-order-id="${secondId}"]`).getByText('Cancelled by the store: Out of Three Africas today').waitFor();
    expect(await done.locator('li.board-order').first().getAttribute('data-order-id')).toBe(secondId);
    await shopper.waitForOrder(/cancelled/i);
    const slotNow = (await store.sync.pull.query({ collection: 'availability', checkpoint: null, limit: 1_000 })).documents.find(
      (document) => document.id === slot.id,
    ) as unknown as DeliverySlot;
    expect(slotNow.taken).toBe(1);
    expect(((await processed(secondId)) as unknown as Order).steps?.map((step) => step.status)).toEqual(['received', 'cancelled']);

    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((screen) => [screen, []])));
    await ownerContext.close();
  });
});
