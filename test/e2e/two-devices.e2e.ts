import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessorProcess, type ProcessorProcess } from '../support/processor-process.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, launchChromium, shopDist } from './browser.ts';
import { openShop, shopPage } from './shop-page.ts';

describe('two devices of one shopper in real browsers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-two-'));
  let server: ServerProcess;
  let processor: ProcessorProcess;
  let browser: Browser;

  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(dir, undefined, ['--static', shopDist]);
    processor = startProcessorProcess(server, ['--lease-ttl-ms', '2000']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await processor?.kill();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pair through the UI’s QR code, keep both devices’ offline edits of one draft, and both see the order received', async () => {
    const phoneContext = await browser.newContext();
    const tabletContext = await browser.newContext();
    const phone = await openShop(phoneContext, server.url);
    await phone.signInAsDemo('phone');
    const code = await phone.createPairingCode();
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const link = await phone.readPairingQr();
    expect(link).toBe(`${server.url}/pair#code=${code}`);
    const tablet = shopPage(await tabletContext.newPage());
    await tablet.pairWithLink(link ?? '', 'tablet');
    expect(tablet.page.url()).toBe(`${server.url}/`);
    await Promise.all([phone.waitUpToDate(), tablet.waitUpToDate()]);

    await phone.add('Bella Donovan');
    expect(await tablet.draftCount('Bella Donovan')).toBe(1);
    await phoneContext.setOffline(true);
    await tabletContext.setOffline(true);
    await phone.add('Enamel Mug');
    await tablet.add('Ceramic Dripper');
    await phoneContext.setOffline(false);
    await tabletContext.setOffline(false);
    for (const device of [phone, tablet]) {
      for (const item of ['Bella Donovan', 'Enamel Mug', 'Ceramic Dripper']) {
        await device.waitForCount(item, 1);
      }
    }

    await phone.chooseSlot();
    await phone.place();
    await Promise.all([phone.waitForOrder('Received'), tablet.waitForOrder('Received')]);
    await phoneContext.close();
    await tabletContext.close();
  });
});
