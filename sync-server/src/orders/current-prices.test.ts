import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { STORE } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.ts';
import { tempDir, uuid } from '../test-support.ts';
import { currentPrices } from './draft-writes.ts';

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

describe('the catalog prices a pushed draft is priced with', () => {
  it('follow every change to the catalog, however many times they were read before', async () => {
    const store = new SqliteStore({ file: join(folder.dir, 'prices.sqlite') });
    const put = (document: WireDocument) => store.commit(STORE, [{ collection: 'catalog', document, expect: { kind: 'none' } }], 'each');
    await put(item(1, 100));
    expect((await currentPrices(store))(uuid(1))).toBe(100);
    expect((await currentPrices(store))(uuid(1))).toBe(100);

    await put(item(1, 250));
    expect((await currentPrices(store))(uuid(1))).toBe(250);

    // A change to another store collection leaves the prices as they are; a new item shows at once.
    await store.commit(STORE, [{ collection: 'availability', document: { id: uuid(9), _deleted: false }, expect: { kind: 'none' } }], 'each');
    expect((await currentPrices(store))(uuid(1))).toBe(250);
    await put(item(2, 700));
    const prices = await currentPrices(store);
    expect([prices(uuid(1)), prices(uuid(2)), prices(uuid(3))]).toEqual([250, 700, undefined]);
    await store.close();
  });

  it('are each store’s own', async () => {
    const one = new SqliteStore({ file: join(folder.dir, 'one.sqlite') });
    const two = new SqliteStore({ file: join(folder.dir, 'two.sqlite') });
    await one.commit(STORE, [{ collection: 'catalog', document: item(1, 100), expect: { kind: 'none' } }], 'each');
    await two.commit(STORE, [{ collection: 'catalog', document: item(1, 300), expect: { kind: 'none' } }], 'each');
    expect([(await currentPrices(one))(uuid(1)), (await currentPrices(two))(uuid(1))]).toEqual([100, 300]);
    await Promise.all([one.close(), two.close()]);
  });
});
