import { join } from 'node:path';
import type { PushRequest, WireDocument } from '@pourover/protocol';
import { derivedFields, editDraft } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { pouroverApp as app } from '../../src/app/pourover-app.ts';
import { applyPush } from '../../src/sync/push.ts';
import { SqliteImageStore } from '../../src/images/sqlite-image-store.ts';
import { seedDemo } from '@pourover/orders/server';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DEMO_REPLICA, placeableDraft, tempDir, uuid } from '../support/test-server.ts';

const now = () => new Date('2026-11-23T10:00:00Z');
const noPrices = () => undefined;

const push = (rows: PushRequest['rows']): PushRequest => ({ collection: 'draftOrders', rows });

describe('a push of drafts', () => {
  const folder = tempDir();
  const store = new SqliteStore({ file: join(folder.dir, 'pourover.db') });
  afterAll(async () => {
    await store.close();
    folder.remove();
  });

  it('makes the draft of late edits to a placed order once: retried, it leaves that draft as edited since', async () => {
    await seedDemo(store, now(), new SqliteImageStore(join(folder.dir, 'images.sqlite')));
    const placeable = await placeableDraft(store, 1, { now: now() });
    const created = String(placeable['ydoc']);
    const [line] = placeable['lines'] as { itemId: string }[];
    const priceOf = (id: string) => (id === line?.itemId ? Number(placeable['totalCents']) : undefined);
    const draft = (ydoc: string, status: 'draft' | 'placing' = 'draft'): WireDocument => ({
      ...placeable,
      status,
      ...derivedFields(ydoc, priceOf),
      ydoc,
    });
    await applyPush({ app, store, replica: DEMO_REPLICA, now }, push([{ newDocumentState: draft(created) }]));
    await applyPush(
      { app, store, replica: DEMO_REPLICA, now },
      push([{ assumedMasterState: draft(created), newDocumentState: draft(created, 'placing') }]),
    );
    expect(await store.get(DEMO_REPLICA, 'placedOrders', uuid(1))).toMatchObject({ document: { status: 'placed' } });
    const late = push([
      { assumedMasterState: draft(created), newDocumentState: draft(editDraft(created, [{ kind: 'setNote', note: 'oat milk' }])) },
    ]);

    const first = await applyPush({ app, store, replica: DEMO_REPLICA, now }, late);
    const split = (await store.changesSince(DEMO_REPLICA, 0, 100)).map((row) => row.document).find((doc) => doc['splitFrom'] === uuid(1));
    expect(split).toMatchObject({ note: 'oat milk', status: 'draft' });
    const ydoc = editDraft(String(split!['ydoc']), [{ kind: 'setNote', note: 'soy milk' }]);
    const edited = { ...split!, ...derivedFields(ydoc, noPrices), ydoc };
    await applyPush({ app, store, replica: DEMO_REPLICA, now }, push([{ assumedMasterState: split!, newDocumentState: edited }]));

    const retried = await applyPush({ app, store, replica: DEMO_REPLICA, now }, late);

    expect(retried.conflicts).toEqual(first.conflicts);
    expect(retried.conflicts).toMatchObject([{ id: uuid(1), status: 'placed', _deleted: true }]);
    expect((await store.get(DEMO_REPLICA, 'draftOrders', split!.id))?.document).toMatchObject({ note: 'soy milk', _deleted: false });
  });
});
