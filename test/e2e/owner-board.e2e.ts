import { describe, it } from 'vitest';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

describe('the store owner’s board', () => {
  const served = servedShop('owner');

  it('shows a newly placed order without a reload', async () => {
    const owner = await (await served.browser.newContext()).newPage();
    await owner.goto(`${served.server.url}/owner`);
    await owner.getByLabel('Sign-in code from the server’s console').fill(await served.server.newOwnerCode());
    await owner.getByRole('button', { name: 'Sign in as the store' }).click();
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
