import { derivedFields, emptyDraftUpdate, type Order } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { OrderQueue } from './order-queue.ts';

const order: Order = {
  id: '00000000-0000-4000-8000-000000000001',
  status: 'placed',
  ydoc: emptyDraftUpdate(),
  ...derivedFields(emptyDraftUpdate(), () => 0),
  createdTime: '2026-12-05T10:00:00.000Z',
};
const alice = 'bluebottle:users:alice';
const bob = 'bluebottle:users:bob';

describe('the processor’s queue of work on orders', () => {
  it('holds an order’s refund back while the order is processed, and runs it once the processing ends', () => {
    const queue = new OrderQueue();
    queue.add(alice, order);
    const processing = queue.take(0);
    expect(processing?.task.kind).toBe('process');
    queue.addRefund(alice, order.id);
    queue.addRefund(bob, order.id);
    // Bob's order of the same id is another order: its refund may run; Alice's waits.
    expect(queue.take(0)).toMatchObject({ replica: bob, task: { kind: 'refund' } });
    expect(queue.take(0)).toBeUndefined();
    expect(queue.nextDue()).toBeUndefined();
    queue.finished(processing!);
    expect(queue.take(0)).toMatchObject({ replica: alice, task: { kind: 'refund', id: order.id } });
  });

  it('queues one refund of an order however often it is asked for, and holds its processing back while it runs', () => {
    const queue = new OrderQueue();
    queue.addRefund(alice, order.id);
    queue.addRefund(alice, order.id);
    expect(queue.size).toBe(1);
    const refund = queue.take(0)!;
    queue.addRefund(alice, order.id);
    queue.add(alice, order);
    expect(queue.size).toBe(2);
    expect(queue.take(0)).toBeUndefined();
    queue.failed(refund, 0);
    expect(queue.take(0)).toMatchObject({ task: { kind: 'process' } });
    expect(queue.take(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });
});
