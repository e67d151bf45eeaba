import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, launchChromium, shopDist } from './browser.ts';
import { barcodeDetectorScript, fakeCameraArgs, writeQrVideo } from './fake-camera.ts';
import { openShop } from './shop-page.ts';

describe('pairing by scanning the QR code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-scan-'));
  const browsers: Browser[] = [];
  let server: ServerProcess;

  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(dir, undefined, ['--static', shopDist]);
  });
  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fills in the code the camera reads, and the device pairs', async () => {
    const phoneBrowser = await launchChromium();
    browsers.push(phoneBrowser);
    const phone = await openShop(await phoneBrowser.newContext(), server.url);
    await phone.signInAsDemo('phone');
    const code = await phone.createPairingCode();
    const video = join(dir, 'pairing-qr.y4m');
    writeQrVideo(video, (await phone.readPairingQr()) ?? '');

    const tabletBrowser = await launchChromium(fakeCameraArgs(video));
    browsers.push(tabletBrowser);
    const tabletContext = await tabletBrowser.newContext();
    await tabletContext.addInitScript({ content: barcodeDetectorScript() });
    const tablet = await openShop(tabletContext, server.url);
    await tablet.page.getByLabel('Pair with a code').check();
    await tablet.page.getByRole('button', { name: 'Scan the QR code' }).click();
    await expect.poll(() => tablet.page.getByLabel('Pairing code').inputValue(), { timeout: 15_000 }).toBe(code);
    // Scanning stopped by itself: the camera view is gone and the button offers a new scan.
    await tablet.page.getByRole('button', { name: 'Scan the QR code' }).waitFor();
    expect(await tablet.page.locator('video').count()).toBe(0);
    await tablet.page.getByLabel('Name this device').fill('tablet');
    await tablet.page.getByRole('button', { name: 'Pair this device' }).click();
    await tablet.page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
  });
});
