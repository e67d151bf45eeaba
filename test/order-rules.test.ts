import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { derivedFields, editDraft, emptyDraftUpdate, type CatalogItem, type DeliverySlot, type Order } from '@pourover/schemas';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerCharges } from './support/ledger.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, PlacingRefused, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { availableCatalog, roomySlot } from './support/store-setup.ts';

/** The order rules as a hostile device meets them: a real server and processor, devices as bare tRPC clients. */
describe('the order rules, held by the server and the processor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-order-rules-'));
  let server: ServerProcess;
  let processor: ProcessorProcess;
  let catalog: CatalogItem[];
  let slot: DeliverySlot;

  beforeAll(async () => {
    server = await startServerProcess(dir);
    processor = startProcessorProcess(server);
    const store = storeOwnerClient(server);
    catalog = await availableCatalog(store);
    slot = await roomySlot(store);
  });
  afterAll(async () => {
    await processor.kill();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const serverDoc = (shopper: Shopper, collection: string, id: string) => {
    const file = readServerFile(dir);
    const row = file.documents(shopper.replica, collection).find((r) => r.id === id);
    file.close();
    return row?.document as (Order & { _deleted: boolean }) | undefined;
  };
  const processed = (shopper: Shopper, id: string) =>
    waitFor(`order ${id} to be processed`, () => serverDoc(shopper, 'processedOrders', id) !== undefined, 20_000).then(() =>
      serverDoc(shopper, 'processedOrders', id)!,
    );
  const setCard = async (shopper: Shopper, paymentToken: string) => {
    const [profile] = (await shopper.client.sync.get.query({ collection: 'user', ids: [shopper.id] })).documents;
    if (!profile) throw new Error('no profile');
    await shopper.client.sync.push.mutate({
      collection: 'user',
      rows: [{ assumedMasterState: profile, newDocumentState: { ...profile, paymentToken } }],
    });
  };
  const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined);
  /** A draft as a hostile device writes it: any Yjs content, any fields. */
  const rawDraft = (edits: Parameters<typeof editDraft>[1], fields: Record<string, unknown> = {}): WireDocument => {
    const ydoc = editDraft(emptyDraftUpdate(), edits);
    return {
      id: randomUUID(),
      status: 'draft',
      ydoc,
      ...derivedFields(ydoc, () => 0),
      createdTime: new Date().toISOString(),
      ...fields,
      _deleted: false,
    };
  };

  it('charges the card the shopper chose when placing, not the first one the processor saw; a declined card is never charged', async () => {
    const shopper = await createShopper(server, 1, 'tok_visa_first');
    const first = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[0]!, count: 1 }], slot });
    expect((await processed(shopper, first.id)).status).toBe('received');

    await setCard(shopper, 'tok_decline_always');
    const declined = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[0]!, count: 1 }], slot });
    expect(await processed(shopper, declined.id)).toMatchObject({
      status: 'rejected',
      rejectReason: expect.stringMatching(/payment declined/),
    });

    await setCard(shopper, 'tok_mastercard_second');
    const second = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[1]!, count: 2 }], slot });
    expect((await processed(shopper, second.id)).status).toBe('received');

    const charges = new Map(ledgerCharges(dir).map((charge) => [charge.key, charge]));
    const key = (id: string) => `${shopper.replica}/${id}`;
    expect(charges.get(key(first.id))).toMatchObject({
      status: 'charged',
      paymentToken: 'tok_visa_first',
      amountCents: first.totalCents,
      refundedCents: 0,
    });
    expect(charges.get(key(declined.id))).toMatchObject({ status: 'declined', paymentToken: 'tok_decline_always' });
    expect(charges.get(key(second.id))).toMatchObject({
      status: 'charged',
      paymentToken: 'tok_mastercard_second',
      amountCents: second.totalCents,
    });
  });

  it('refuses to place an order with no payment method, and charges nothing for it', async () => {
    const shopper = await createShopper(server, 2, '');
    const id = randomUUID();
    await expect(placeOrder(shopper, { id, items: [{ item: catalog[0]!, count: 1 }], slot })).rejects.toThrow(PlacingRefused);
    expect(serverDoc(shopper, 'draftOrders', id)).toMatchObject({
      status: 'draft',
      refusal: { reason: expect.stringMatching(/payment method/) },
    });
    expect(serverDoc(shopper, 'placedOrders', id)).toBeUndefined();
    expect(ledgerCharges(dir).filter((charge) => charge.key.endsWith(id))).toEqual([]);
  });

  it('refuses a draft naming items the catalog never held, and never places one for $0 in a slot', async () => {
    const shopper = await createShopper(server, 3, 'tok_visa_3');
    const unknown = rawDraft(
      [
        { kind: 'setCount', itemId: randomUUID(), count: 5 },
        { kind: 'setSlot', slotId: slot.id },
      ],
      { status: 'placing', totalCents: 0 },
    );
    const push = shopper.client.sync.push.mutate({
      collection: 'draftOrders',
      rows: [{ assumedMasterState: null, newDocumentState: unknown }],
    });
    await expect(push).rejects.toSatisfy((error) => codeOf(error) === 'BAD_INPUT');
    expect(serverDoc(shopper, 'placedOrders', unknown.id)).toBeUndefined();
    expect(serverDoc(shopper, 'draftOrders', unknown.id)).toBeUndefined();
    const huge = rawDraft(
      [
        { kind: 'setCount', itemId: catalog[0]!.id, count: 5_000 },
        { kind: 'setSlot', slotId: slot.id },
      ],
      { status: 'placing' },
    );
    await expect(shopper.client.sync.push.mutate({ collection: 'draftOrders', rows: [{ newDocumentState: huge }] })).rejects.toSatisfy(
      (error) => codeOf(error) === 'BAD_INPUT',
    );
  });

  it('prices a placed order from the catalog and charges that, whatever total the device wrote', async () => {
    const shopper = await createShopper(server, 4, 'tok_visa_4');
    const cheap = rawDraft(
      [
        { kind: 'setCount', itemId: catalog[0]!.id, count: 3 },
        { kind: 'setSlot', slotId: slot.id },
      ],
      { status: 'placing', totalCents: 1 },
    );
    const answer = await shopper.client.sync.push.mutate({ collection: 'draftOrders', rows: [{ newDocumentState: cheap }] });
    expect(answer.conflicts[0]).toMatchObject({ status: 'draft', refusal: { reason: expect.stringMatching(/prices changed/) } });
    expect(serverDoc(shopper, 'placedOrders', cheap.id)).toBeUndefined();
    expect(serverDoc(shopper, 'draftOrders', cheap.id)?.totalCents).toBe(3 * catalog[0]!.priceCents);
  });

  it('never places an order twice: a processed order’s draft written back and placed again is told where the order went', async () => {
    const shopper = await createShopper(server, 5, 'tok_visa_5');
    const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[0]!, count: 1 }], slot });
    await processed(shopper, order.id);
    const tombstone = serverDoc(shopper, 'draftOrders', order.id);
    expect(tombstone).toMatchObject({ _deleted: true, status: 'placed' });

    const revived = { ...tombstone!, status: 'placing', _deleted: false } as WireDocument;
    await expect(
      shopper.client.sync.batch.mutate({
        operations: [
          {
            collection: 'draftOrders',
            precondition: { kind: 'equals', state: tombstone as WireDocument },
            write: { ...revived, status: 'draft' },
          },
        ],
      }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'FORBIDDEN');
    for (const assumedMasterState of [tombstone as WireDocument, null]) {
      const answer = await shopper.client.sync.push.mutate({
        collection: 'draftOrders',
        rows: [{ assumedMasterState, newDocumentState: revived }],
      });
      expect(answer.conflicts).toMatchObject([{ id: order.id, _deleted: true, status: 'placed' }]);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(serverDoc(shopper, 'placedOrders', order.id)?._deleted).toBe(true);
    expect(serverDoc(shopper, 'processedOrders', order.id)?.status).toBe('received');
    expect(ledgerCharges(dir).filter((charge) => charge.key.endsWith(order.id))).toHaveLength(1);
  });

  it('keeps the times, statuses and reasons the server owns, whatever a device wrote into them', async () => {
    const shopper = await createShopper(server, 6, 'tok_visa_6');
    const forged = {
      createdTime: '2001-01-01T00:00:00.000Z',
      placedTime: '2001-01-01T00:00:00.000Z',
      receivedTime: '2001-01-01T00:00:00.000Z',
      rejectReason: 'forged by the device',
      splitFrom: randomUUID(),
      approveBy: '2099-01-01T00:00:00.000Z',
    };
    const ydoc = editDraft(emptyDraftUpdate(), [
      { kind: 'setCount', itemId: catalog[0]!.id, count: 1 },
      { kind: 'setSlot', slotId: slot.id },
    ]);
    const draft = {
      id: randomUUID(),
      status: 'placing',
      ydoc,
      ...derivedFields(ydoc, (id) => (id === catalog[0]!.id ? catalog[0]!.priceCents : undefined)),
      ...forged,
      _deleted: false,
    };
    expect((await shopper.client.sync.push.mutate({ collection: 'draftOrders', rows: [{ newDocumentState: draft }] })).conflicts).toEqual(
      [],
    );
    const received = await processed(shopper, draft.id);
    const placed = serverDoc(shopper, 'placedOrders', draft.id);
    for (const order of [received, placed]) {
      expect(order?.createdTime).not.toBe(forged.createdTime);
      expect(order?.placedTime).not.toBe(forged.placedTime);
      expect(order?.rejectReason).toBeUndefined();
      expect(order?.splitFrom).toBeUndefined();
      expect(order?.approveBy).toBeUndefined();
    }
    expect(received.receivedTime).not.toBe(forged.receivedTime);
    expect(received.status).toBe('received');
  });

  it('has the processor check again what it charges: an order whose total is not its lines’, or with no payment method, is rejected uncharged', async () => {
    const shopper = await createShopper(server, 7, 'tok_visa_7');
    const ydoc = editDraft(emptyDraftUpdate(), [
      { kind: 'setCount', itemId: catalog[0]!.id, count: 2 },
      { kind: 'setSlot', slotId: slot.id },
    ]);
    const lines = [{ itemId: catalog[0]!.id, count: 2, unitCents: catalog[0]!.priceCents }];
    const base = {
      ...derivedFields(ydoc, () => catalog[0]!.priceCents),
      ydoc,
      lines,
      status: 'placed',
      createdTime: new Date().toISOString(),
      placedTime: new Date().toISOString(),
      _deleted: false,
    };
    // Written straight into placedOrders by the store's own credentials, past the server's placing rules.
    const wrongTotal = { ...base, id: randomUUID(), totalCents: 1, paymentToken: 'tok_visa_7' };
    const noPayment = { ...base, id: randomUUID(), paymentToken: '' };
    const store = storeOwnerClient(server);
    for (const write of [wrongTotal, noPayment]) {
      expect(
        (
          await store.sync.batch.mutate({
            replica: shopper.replica,
            operations: [{ collection: 'placedOrders', precondition: { kind: 'absent' }, write }],
          })
        ).ok,
      ).toBe(true);
    }
    expect(await processed(shopper, wrongTotal.id)).toMatchObject({
      status: 'rejected',
      rejectReason: expect.stringMatching(/total \$0\.01 is not/),
    });
    expect(await processed(shopper, noPayment.id)).toMatchObject({
      status: 'rejected',
      rejectReason: expect.stringMatching(/no payment method/),
    });
    expect(ledgerCharges(dir).filter((charge) => charge.key.endsWith(wrongTotal.id) || charge.key.endsWith(noPayment.id))).toEqual([]);
  });
});
