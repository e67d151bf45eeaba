import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readServerFile } from '../support/server-file.ts';
import { waitFor } from '../support/wait-for.ts';
import { openShop, shopPage } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

/** The sync requests (pull, push, the live stream) a page sends from now on. */
function syncRequestsOf(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/trpc/') && pathname.includes('sync.')) sent.push(pathname);
  });
  return sent;
}

function draftsOnServer(dir: string) {
  const file = readServerFile(dir);
  const drafts = file.documents(REPLICA, 'draftOrders').filter((row) => !row.document['_deleted']);
  file.close();
  return drafts;
}

describe('two tabs of one device', () => {
  const served = servedShop('tabs');

  it('show each other’s edits at once, offline too, both show the server’s state once online, and one takes over syncing when the other closes', async () => {
    const context = await served.browser.newContext();
    const first = await openShop(context, served.server.url);
    await first.signInAsDemo('laptop');
    await first.waitUpToDate();
    const secondPage = await context.newPage();
    const secondSyncs = syncRequestsOf(secondPage);
    const second = shopPage(secondPage);
    await secondPage.goto(served.server.url);
    await second.page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    await second.waitUpToDate();

    await context.setOffline(true);
    await first.add('Bella Donovan');
    expect(await second.draftCount('Bella Donovan')).toBe(1);
    await second.add('Enamel Mug');
    expect(await first.draftCount('Enamel Mug')).toBe(1);
    await second.openOrder();
    await second.page.getByRole('button', { name: 'One more Bella Donovan' }).click();
    await first.waitForCount('Bella Donovan', 2, 10_000);

    await context.setOffline(false);
    await Promise.all([first.waitUpToDate(), second.waitUpToDate()]);
    await waitFor('both tabs’ edits on the server', () =>
      draftsOnServer(served.dir).some((row) => Number(row.document['itemCount']) === 3),
    );
    for (const tab of [first, second]) {
      expect(await tab.draftCount('Bella Donovan')).toBe(2);
      expect(await tab.draftCount('Enamel Mug')).toBe(1);
    }
    // Only the served.server moves an order from placing to placed, so both tabs showing it placed shows both follow the served.server.
    await first.chooseSlot();
    await first.place();
    await Promise.all([first.waitForOrder('Placed'), second.waitForOrder('Placed')]);
    // One tab syncs for the device, so the second sent nothing itself: no pull, no push, no live stream of its own.
    expect(secondSyncs).toEqual([]);

    await first.page.close();
    await second.go('Shop');
    await second.add('Ceramic Dripper');
    await waitFor('the second tab’s edit on the served.server once it syncs', () =>
      draftsOnServer(served.dir).some((row) => Number(row.document['itemCount']) === 1),
    );
    expect(secondSyncs.some((path) => path.includes('sync.stream'))).toBe(true);
    await second.waitUpToDate();
    await context.close();
  });
});
