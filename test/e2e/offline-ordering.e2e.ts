import { describe, expect, it } from 'vitest';
import { readServerFile } from '../support/server-file.ts';
import { waitFor } from '../support/wait-for.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const ITEMS = ['Bella Donovan', 'Ceramic Dripper', 'Enamel Mug'];

describe('ordering offline in a real browser', () => {
  const served = servedShop('ordering');

  it('keeps the app and a draft made offline across a reload, and sends the draft once online', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('laptop');
    await shop.waitUpToDate();
    await shop.waitForServiceWorker();

    await context.setOffline(true);
    for (const item of ITEMS) await shop.add(item);
    for (const item of ITEMS) expect(await shop.draftCount(item)).toBe(1);
    await shop.page.reload();
    await shop.page.getByRole('heading', { name: 'Your order' }).waitFor();
    for (const item of ITEMS) expect(await shop.draftCount(item)).toBe(1);
    await shop.page
      .getByRole('status')
      .filter({ hasText: /Offline|Connecting/ })
      .waitFor();

    await context.setOffline(false);
    await waitFor(
      'the draft on the server',
      () => {
        const file = readServerFile(served.dir);
        const drafts = file.documents(REPLICA, 'draftOrders').filter((row) => !row.document['_deleted']);
        file.close();
        return drafts.some((row) => Number(row.document['itemCount']) === 3);
      },
      30_000,
    );
    await context.close();
  });
});
