import { describe, it } from 'vitest';
import { openOwnerPage } from './owner-setup.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

describe('the store owner’s board', () => {
  const served = servedShop('owner');

  it('shows a newly placed order without a reload', async () => {
    const owner = await openOwnerPage(served, await served.browser.newContext());
    await owner.getByRole('heading', { name: /^Placed \(0\)$/ }).waitFor();

    const shopper = await openShop(await served.browser.newContext(), served.server.url);
    await shopper.signInAsDemo('phone');
    await shopper.waitUpToDate();
    await shopper.add('Three Africas');
    await shopper.chooseSlot();
    await shopper.place();
    await owner.getByRole('heading', { name: /^Placed \(1\)$/ }).waitFor({ timeout: 15_000 });
    await owner.getByRole('list', { name: 'Placed orders' }).getByText('1 item', { exact: true }).waitFor();
  });
});
