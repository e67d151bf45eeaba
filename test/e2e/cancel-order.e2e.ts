import { describe, expect, it } from 'vitest';
import { readServerFile } from '../support/server-file.ts';
import { startProcessorProcess } from '../support/processor-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { axeViolations } from './axe-violations.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

/** The status of the shopper's one processed order on the server. */
function serverStatus(dir: string): unknown {
  const file = readServerFile(dir);
  const [row] = file.documents(REPLICA, 'processedOrders');
  file.close();
  return row?.document['status'];
}

describe('cancelling an order in a real browser', () => {
  const served = servedShop('cancel');

  it('asked on a phone while offline, is shown waiting, sent once online, and the page shows the order cancelled', async () => {
    const processor = startProcessorProcess(served.server, ['--lease-ttl-ms', '2000']);
    const context = await served.browser.newContext({ viewport: { width: 375, height: 800 } });
    const shop = await openShop(context, served.server.url);
    const { page } = shop;
    await shop.signInAsDemo('phone');
    await shop.waitUpToDate();
    await shop.add('Giant Steps');
    await shop.chooseSlot();
    await shop.place();
    await page.locator('.step-done').filter({ hasText: 'Received by the store' }).locator('time').waitFor({ timeout: 30_000 });

    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel this order?' });
    await dialog.getByLabel('Reason (optional)').fill('Plans changed');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Yes, cancel order' }).click();
    await page.getByRole('status').filter({ hasText: 'Cancellation requested — will be sent when you are back online.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    expect(serverStatus(served.dir)).toBe('received');

    await context.setOffline(false);
    await page
      .getByRole('status')
      .filter({ hasText: /^Cancellation accepted / })
      .waitFor({ timeout: 30_000 });
    await page.locator('.step-failed').filter({ hasText: 'Cancelled at your request' }).filter({ hasText: 'Plans changed' }).waitFor();
    await waitFor('the order cancelled on the server', () => serverStatus(served.dir) === 'cancelled');
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await shop.waitForOrder('Cancelled');
    await processor.kill();
    await context.close();
  });
});
