import { describe, expect, it } from 'vitest';
import { startProcessorProcess } from '../support/processor-process.ts';
import { addSoonSlot } from './owner-setup.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

describe('two shoppers racing for the last place in a slot, in real browsers', () => {
  const served = servedShop('race');

  it('gives it to one, who sees received; the other sees rejected with the reason', async () => {
    const slot = await addSoonSlot(served, 1);

    const first = await openShop(await served.browser.newContext(), served.server.url);
    await first.signInAsDemo('first');
    const second = await openShop(await served.browser.newContext(), served.server.url);
    await second.signUp('Second Shopper', 'second@example.com', 'second');
    await second.go('Profile');
    await second.page.getByLabel('Payment method').selectOption('tok_demo_visa');
    await second.go('Shop');
    for (const shopper of [first, second]) {
      await shopper.waitUpToDate();
      await shopper.add('Giant Steps');
      await shopper.chooseSlot(slot.id);
    }
    await Promise.all([first.place(), second.place()]);
    await Promise.all([first.waitForOrder('Placed'), second.waitForOrder('Placed')]);

    const processor = startProcessorProcess(served.server, ['--lease-ttl-ms', '2000']);
    const outcome = async (shopper: typeof first) => {
      await shopper.waitForOrder(/Received|Rejected/);
      return (await shopper.page.locator('.order').first().textContent()) ?? '';
    };
    const outcomes = await Promise.all([outcome(first), outcome(second)]);
    await processor.kill();
    expect(outcomes.filter((text) => text.includes('Received'))).toHaveLength(1);
    expect(outcomes.filter((text) => text.includes('Rejected') && text.includes('Not accepted: the delivery slot is full'))).toHaveLength(
      1,
    );
  });
});
