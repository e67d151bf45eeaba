/**
 * Naming a replica (in a batch, a get, a syncgroup), against a real server
 * with the authorization matrix's identities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../support/test-server.ts';
import { freshDoc } from './documents.ts';
import { expectRefused } from './expect-refused.ts';
import { D, O, S, type Identity } from './expected-outcomes.ts';
import { startMatrixProbe, type MatrixProbe } from './matrix-probe.ts';

let probe: MatrixProbe;
beforeAll(async () => {
  probe = await startMatrixProbe();
});
afterAll(() => probe.server.stop());

/**
 * Requests that name a replica (batch, get) must name one the caller may
 * reach: a device only its own shopper's replica (DESIGN: "a device's batch
 * always addresses its own replica; only the store names another"), the
 * store a shopper's replica. A name that is no replica's (only `bluebottle`
 * and `bluebottle:users:<id>` are) is refused as bad input; a replica the
 * caller may not use, as forbidden. Either way nothing is written.
 */
describe('naming a replica', () => {
  const userWrite = () => ({ collection: 'user', write: freshDoc('user') });
  const batchInto = (replica: string, identity: Identity, operation: unknown = userWrite()) =>
    probe.post('sync.batch', { replica, operations: [operation] }, probe.tokens[identity]);

  async function expectRefusedAndNothingWritten(send: () => Promise<Answer>, outcome: 'F' | 'B') {
    const before = await probe.snapshot();
    const answer = await send();
    expectRefused(answer, outcome);
    expect(await probe.snapshot()).toEqual(before);
  }

  it.each([
    ['another shopper’s replica', O],
    ['the store’s replica', S],
  ])('the shopper’s device may not batch into %s (403)', async (_name, replica) => {
    await expectRefusedAndNothingWritten(() => batchInto(replica, 'device'), 'F');
  });

  it.each([
    ['another shopper’s device blessing', `${O}:tablet`],
    ['a name under another shopper’s replica', `${O}:x`],
  ])('the shopper’s device may not batch into %s, which names no replica (400)', async (_name, replica) => {
    await expectRefusedAndNothingWritten(() => batchInto(replica, 'device'), 'B');
  });

  it('another shopper’s device may not get from the shopper’s replica (403)', async () => {
    const victim = await probe.seeded('user');
    expectRefused(await probe.query('sync.get', { collection: 'user', ids: [victim.id], replica: D }, probe.tokens.otherDevice), 'F');
  });

  // KB1 (a wrong allow), sync-server/src/sync/permissions.ts: `$owner` of a replica named `bluebottle:users`
  // resolved to the pattern `bluebottle:users`, which matches every shopper's device, so any device could
  // batch (and get, and administer the syncgroups of) that replica: a store shared by all shoppers, where
  // one shopper writes what every other reads. Likewise a device's own blessing name taken as a replica.
  it('KB1: the shopper’s device may not batch into `bluebottle:users`, a replica every shopper would own (400)', async () => {
    await expectRefusedAndNothingWritten(() => batchInto('bluebottle:users', 'device'), 'B');
  });

  it('KB1: another shopper’s device may not get from `bluebottle:users` what the shopper tried to write there (400)', async () => {
    const planted = freshDoc('user');
    expectRefused(await batchInto('bluebottle:users', 'device', { collection: 'user', write: planted }), 'B');
    const answer = await probe.query(
      'sync.get',
      { collection: 'user', ids: [planted.id], replica: 'bluebottle:users' },
      probe.tokens.otherDevice,
    );
    expectRefused(answer, 'B');
  });

  it('KB1: the shopper’s device may not batch into a replica named after its own device blessing (400)', async () => {
    await expectRefusedAndNothingWritten(() => batchInto(`${D}:matrix-phone`, 'device'), 'B');
  });

  it('KB1: no device may read or administer the syncgroups of `bluebottle:users` (400)', async () => {
    expectRefused(await probe.query('sync.syncgroup', { collection: 'user', replica: 'bluebottle:users' }, probe.tokens.device), 'B');
    const members = [{ pattern: '$owner', grants: ['read', 'write', 'admin'] }];
    await expectRefusedAndNothingWritten(
      () => probe.post('sync.setSyncgroup', { collection: 'user', replica: 'bluebottle:users', members, version: 0 }, probe.tokens.device),
      'B',
    );
  });

  // KB6, sync-server/src/batch.ts: the store's batch could name any string as its replica ('',
  // 'anything', 300 characters) and the server created it.
  it('KB6: the store may not batch into a replica that names no shopper, and no replica is created (400)', async () => {
    const placed = () => ({ collection: 'placedOrders', write: freshDoc('placedOrders') });
    for (const replica of ['not-a-replica', '', 'x'.repeat(300), 'bluebottle:users']) {
      await expectRefusedAndNothingWritten(() => batchInto(replica, 'storeOwner', placed()), 'B');
    }
  });

  it('the store may not batch shopper collections into its own replica, where they mean nothing (403)', async () => {
    for (const collection of ['user', 'draftOrders', 'placedOrders', 'processedOrders'] as const) {
      await expectRefusedAndNothingWritten(() => batchInto(S, 'storeOwner', { collection, write: freshDoc(collection) }), 'F');
    }
  });
});
