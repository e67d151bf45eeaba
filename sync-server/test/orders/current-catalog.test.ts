import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { STORE } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { currentCatalog } from '@pourover/orders/server';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir, uuid } from '../support/test-server.ts';

const folder = tempDir();
afterAll(() => folder.remove());

const item = (n: number, priceCents: number): WireDocument => ({
  id: uuid(n),
  _deleted: false,
  name: `Item ${n}`,
  description: '',
  kind: 'coffee',
  priceCents,
  image: 'a'.repeat(64),
  available: true,
});

describe('the catalog a pushed draft is priced and checked with', () => {
  it('follow every change to the catalog, however many times they were read before', async () => {
    const store = new SqliteStore({ file: join(folder.dir, 'prices.sqlite') });
    const put = (document: WireDocument) => store.commit(STORE, [{ collection: 'catalog', document, expect: { kind: 'none' } }], 'each');
    await put(item(1, 100));
    expect((await currentCatalog(store)).priceOf(uuid(1))).toBe(100);
    expect((await currentCatalog(store)).priceOf(uuid(1))).toBe(100);

    await put(item(1, 250));
    expect((await currentCatalog(store)).priceOf(uuid(1))).toBe(250);

    // A change to another store collection leaves the prices as they are; a new item shows at once.
    await store.commit(
      STORE,
      [{ collection: 'availability', document: { id: uuid(9), _deleted: false }, expect: { kind: 'none' } }],
      'each',
    );
    expect((await currentCatalog(store)).priceOf(uuid(1))).toBe(250);
    await put(item(2, 700));
    const catalog = await currentCatalog(store);
    expect([catalog.priceOf(uuid(1)), catalog.priceOf(uuid(2)), catalog.priceOf(uuid(3))]).toEqual([250, 700, undefined]);
    await store.close();
  });

  it('are each store’s own', async () => {
    const one = new SqliteStore({ file: join(folder.dir, 'one.sqlite') });
    const two = new SqliteStore({ file: join(folder.dir, 'two.sqlite') });
    await one.commit(STORE, [{ collection: 'catalog', document: item(1, 100), expect: { kind: 'none' } }], 'each');
    await two.commit(STORE, [{ collection: 'catalog', document: item(1, 300), expect: { kind: 'none' } }], 'each');
    expect([(await currentCatalog(one)).priceOf(uuid(1)), (await currentCatalog(two)).priceOf(uuid(1))]).toEqual([100, 300]);
    await Promise.all([one.close(), two.close()]);
  });
});

describe('the catalog’s items as the order rules see them', () => {
  it('know an item removed or made unavailable, and say it cannot be ordered', async () => {
    const store = new SqliteStore({ file: join(folder.dir, 'entries.sqlite') });
    const put = (document: WireDocument) => store.commit(STORE, [{ collection: 'catalog', document, expect: { kind: 'none' } }], 'each');
    await put(item(1, 100));
    await put({ ...item(2, 200), available: false });
    await put({ ...item(3, 300), _deleted: true });
    const catalog = await currentCatalog(store);
    expect(catalog.entry(uuid(1))).toEqual({ name: 'Item 1', priceCents: 100, available: true, live: true });
    expect(catalog.entry(uuid(2))).toMatchObject({ available: false, live: true });
    expect(catalog.entry(uuid(3))).toMatchObject({ available: false, live: false });
    expect(catalog.entry(uuid(4))).toBeUndefined();
    await store.close();
  });
});
