/**
 * The suite every image store passes (STYLE.md: adapters prove themselves),
 * run by `sqlite-image-store.test.ts` and `postgres-image-store.pg.test.ts`.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ImageStore, StoredImage } from '../src/images/image-store.ts';

export type OpenedImageStore = { store: ImageStore; reopen(): Promise<ImageStore>; cleanup(): Promise<void> };

const image = (text: string): StoredImage => {
  const bytes = Buffer.from(text);
  return { hash: createHash('sha256').update(bytes).digest('hex'), type: 'image/webp', bytes };
};

export function imageStoreConformance(name: string, open: () => Promise<OpenedImageStore>) {
  describe(`${name} image store`, { timeout: 30_000 }, () => {
    it('gives back an image by its hash, byte for byte, after it is closed and opened again', async () => {
      const { store, reopen, cleanup } = await open();
      const kept = image('a photo of a kettle');
      await store.put(kept);
      expect(await store.get(kept.hash)).toEqual(kept);
      await store.close();
      const again = await reopen();
      expect(await again.get(kept.hash)).toEqual(kept);
      await again.close();
      await cleanup();
    });

    it('keeps an image put twice once, and knows nothing of an image never put', async () => {
      const { store, cleanup } = await open();
      const kept = image('a mug');
      await Promise.all([store.put(kept), store.put(kept)]);
      await store.put({ ...kept, type: 'image/svg+xml' });
      expect(await store.get(kept.hash)).toEqual(kept);
      expect(await store.get('0'.repeat(64))).toBeUndefined();
      await store.close();
      await cleanup();
    });
  });
}
