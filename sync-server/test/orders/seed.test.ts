import { join } from 'node:path';
import { STORE } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCatalog, seedDemo } from '@pourover/orders/server';
import { SqliteImageStore } from '../../src/images/sqlite-image-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../support/test-server.ts';

const folder = tempDir();
afterAll(() => folder.remove());
const now = new Date('2026-12-04T10:00:00.000Z');

describe('seeding the demo', () => {
  it('gives every demo item a picture the image store holds', async () => {
    const store = new SqliteStore({ file: join(folder.dir, 'fresh.sqlite') });
    const images = new SqliteImageStore(join(folder.dir, 'fresh-images.sqlite'));
    await seedDemo(store, now, images);
    const items = (await store.pull(STORE, 'catalog', 0, 100)).map((row) => row.document);
    expect(items).toHaveLength(demoCatalog().length);
    for (const item of items) expect((await images.get(String(item['image'])))?.type).toBe('image/webp');
    await store.close();
    await images.close();
  });

  it('gives an item seeded before pictures were kept its picture, keeping the owner’s edits', async () => {
    const store = new SqliteStore({ file: join(folder.dir, 'older.sqlite') });
    const images = new SqliteImageStore(join(folder.dir, 'older-images.sqlite'));
    const [first] = demoCatalog();
    if (!first) throw new Error('the demo catalog is empty');
    const older = { ...first.entry, priceCents: 2_500, image: 'a'.repeat(64), _deleted: false };
    await store.commit(STORE, [{ collection: 'catalog', document: older, expect: { kind: 'absent' } }], 'each');
    await seedDemo(store, now, images);
    const after = (await store.get(STORE, 'catalog', first.id))?.document;
    expect(after).toMatchObject({ priceCents: 2_500, name: first.entry.name });
    expect(after?.['image']).not.toBe('a'.repeat(64));
    expect(await images.get(String(after?.['image']))).toBeDefined();
    await store.close();
    await images.close();
  });
});
