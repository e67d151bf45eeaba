import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { collectionNames, collections, rxSchemaOf, type CollectionName } from './index.ts';

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const time = '2026-11-23T10:00:00.000Z';

const order = {
  id: uuid(1),
  status: 'draft',
  lines: [{ itemId: uuid(2), count: 2 }],
  itemCount: 2,
  totalCents: 3600,
  note: 'ring twice',
  slotId: null,
  ydoc: 'AAA=',
  createdTime: time,
};

const valid: Record<CollectionName, unknown[]> = {
  user: [{ id: uuid(1), name: 'Ada', email: 'ada@example.com', address: '1 Main St', paymentToken: 'tok_1' }],
  draftOrders: [order, { ...order, id: '01JD0000000000000000000000', lines: [], itemCount: 0, totalCents: 0 }],
  placedOrders: [{ ...order, status: 'placed', placedTime: time, slotId: uuid(9) }],
  processedOrders: [
    { ...order, status: 'rejected', receivedTime: time, rejectReason: 'slot full' },
    {
      ...order,
      status: 'cancelled',
      steps: [
        { status: 'received', at: time },
        { status: 'cancelled', at: time },
      ],
      cancelReason: 'changed my mind',
      cancelledBy: 'shopper',
      refundedTime: time,
    },
  ],
  orderRequests: [
    { id: uuid(5), kind: 'cancel' },
    { id: uuid(5), kind: 'cancel', reason: 'too late for me', answer: { outcome: 'refused', reason: 'out for delivery', at: time } },
  ],
  deliveries: [
    {
      id: uuid(6),
      orderReplica: 'bluebottle:users:ada',
      customerName: 'Ada',
      address: '1 Main St',
      note: 'ring twice',
      items: [{ name: 'Hayes Valley Espresso', count: 2 }],
      totalCents: 4400,
      slotStart: time,
      slotEnd: time,
      status: 'assigned',
      steps: [{ status: 'assigned', at: time }],
    },
  ],
  availability: [{ id: uuid(3), start: time, end: time, capacity: 10, taken: 0, cutoff: time }],
  catalog: [
    {
      id: uuid(4),
      name: 'Hayes Valley Espresso',
      description: 'Dark and sweet',
      kind: 'coffee',
      priceCents: 2200,
      image: 'a'.repeat(64),
      available: true,
    },
  ],
};

const invalid: Record<CollectionName, unknown[]> = {
  user: [{ ...(valid.user[0] as object), id: 'alice' }, { ...(valid.user[0] as object), extra: 1 }, {}],
  draftOrders: [
    { ...order, totalCents: 10.5 },
    { ...order, totalCents: -1 },
    { ...order, status: 'lost' },
    { ...order, createdTime: '2026-11-23 10:00' },
    { ...order, lines: [{ itemId: uuid(2), count: 0 }] },
    { ...order, slotId: undefined },
  ],
  placedOrders: [{ ...order, placedTime: 'yesterday' }],
  processedOrders: [
    { ...order, rejectReason: 'x'.repeat(501) },
    { ...order, steps: [{ status: 'shipped', at: time }] },
    { ...order, cancelledBy: 'driver' },
  ],
  orderRequests: [{ id: uuid(5), kind: 'refund' }, { id: uuid(5), kind: 'cancel', answer: { outcome: 'maybe', reason: '', at: time } }, {}],
  deliveries: [
    { ...(valid.deliveries[0] as object), status: 'lost' },
    { ...(valid.deliveries[0] as object), items: [{ name: 'x', count: 0 }] },
    { ...(valid.deliveries[0] as object), phone: '555' },
  ],
  availability: [{ ...(valid.availability[0] as object), capacity: 1.5 }],
  catalog: [
    { ...(valid.catalog[0] as object), image: 'not-a-hash' },
    { ...(valid.catalog[0] as object), kind: 'tea' },
  ],
};

describe('RxDB schemas derived from the zod schemas', () => {
  const ajv = new Ajv({ strict: false });

  it.each(collectionNames)('%s: both accept every valid sample and reject every invalid one', (name) => {
    const check = ajv.compile(rxSchemaOf(name));
    const zod = collections[name].schema;
    for (const doc of valid[name]) {
      expect({ doc, zod: zod.safeParse(doc).success, rx: check(doc) }).toEqual({ doc, zod: true, rx: true });
    }
    for (const doc of invalid[name]) {
      const json = JSON.parse(JSON.stringify(doc)) as unknown;
      expect({ doc, zod: zod.safeParse(json).success, rx: check(json) }).toEqual({ doc, zod: false, rx: false });
    }
  });

  it.each(collectionNames)('%s: has a bounded string primary key, as RxDB requires', (name) => {
    const schema = rxSchemaOf(name);
    const key = schema.properties[schema.primaryKey] as { type: string; maxLength: number };
    expect(key.type).toBe('string');
    expect(key.maxLength).toBeGreaterThan(0);
    expect(schema.required).toContain(schema.primaryKey);
  });
});
