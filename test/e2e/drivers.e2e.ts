import { describe, expect, it } from 'vitest';
import { OWNER_CODE_FIELD, openOwnerPage } from './owner-setup.ts';
import { servedShop } from './served-shop.ts';

/** How long any one step may take before the test fails rather than waits on. */
const STEP_MS = 15_000;

describe('the store owner’s devices and the store’s drivers, in Chromium', () => {
  const served = servedShop('drivers');

  it('keeps the owner signed in across a reload, pairs a driver’s phone by link, and removing the driver signs the phone out in words', async () => {
    const url = served.server.url;
    const owner = await openOwnerPage(served, await served.browser.newContext(), { browserName: 'Counter laptop' });
    await owner.getByRole('heading', { name: /^Placed \(\d+\)$/ }).waitFor({ timeout: STEP_MS });

    // A reload keeps the owner signed in: no code asked for again.
    await owner.reload();
    await owner.getByRole('heading', { name: /^Placed \(\d+\)$/ }).waitFor({ timeout: STEP_MS });
    expect(await owner.getByLabel(OWNER_CODE_FIELD).count()).toBe(0);

    await owner.getByRole('link', { name: 'Drivers and devices' }).click();
    await owner
      .getByRole('list', { name: 'Signed-in owner devices' })
      .getByText('Counter laptop (this browser)')
      .waitFor({ timeout: STEP_MS });
    await owner.getByLabel('New driver’s name').fill('Dana Diaz');
    await owner.getByRole('button', { name: 'Add driver' }).click();
    await owner.getByRole('button', { name: 'Pair a phone for Dana Diaz' }).click({ timeout: STEP_MS });
    const code = (await owner.getByTestId('driver-pairing-code').textContent({ timeout: STEP_MS })) ?? '';
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(await owner.getByRole('img', { name: `QR code for signing in Dana Diaz’s phone with code ${code}` }).count()).toBe(1);
    const link = `${url}/driver#code=${code}`;
    expect(await owner.locator('.driver-pairing a').getAttribute('href')).toBe(link);

    // The driver's phone, at phone width, opened at the link the QR code carries: the code is filled in, and taken off the address.
    const phone = await (await served.browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
    await phone.goto(link);
    const field = phone.getByLabel('Pairing code or link');
    expect(await field.inputValue({ timeout: STEP_MS })).toBe(code);
    expect(new URL(phone.url()).hash).toBe('');
    // Typed by hand, as a driver without a camera does.
    await phone.goto(`${url}/driver`);
    await field.fill(code.toLowerCase());
    await phone.getByRole('button', { name: 'Sign in as a driver' }).click();
    await phone.getByTestId('driver-name').getByText('Dana Diaz').waitFor({ timeout: STEP_MS });
    await phone.getByText('No deliveries assigned to you.').waitFor();
    await phone.reload();
    await phone.getByTestId('driver-name').getByText('Dana Diaz').waitFor({ timeout: STEP_MS });

    await owner.getByRole('button', { name: 'Remove Dana Diaz' }).click();
    await owner.getByRole('button', { name: 'Remove Dana Diaz' }).waitFor({ state: 'detached', timeout: STEP_MS });

    // The phone's next refresh (on its next load) is refused, and it says why.
    await phone.reload();
    await phone
      .getByRole('alert')
      .getByText('The store removed this driver: this phone is signed out; ask the store for a new pairing code.')
      .waitFor({
        timeout: STEP_MS,
      });
    await phone.getByRole('button', { name: 'Sign in as a driver' }).waitFor();
    await phone.close();
    await owner.close();
  });
});
