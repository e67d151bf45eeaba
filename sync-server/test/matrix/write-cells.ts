/**
 * The matrix's write cells (`push-insert`, `push-update`, `push-delete`,
 * `batch`): a refused write changes nothing; an allowed one lands on D's
 * side, an own-replica one in the caller's replica, and nothing else
 * changes.
 */
import { expect } from 'vitest';
import { resultOf } from '../support/test-server.ts';
import { changed, freshDoc } from './documents.ts';
import { expectRefused } from './expect-refused.ts';
import { D, homeOf, ownReplicaOf, type Cell } from './expected-outcomes.ts';
import type { MatrixProbe } from './matrix-probe.ts';

/** Heads of every replica other than `except`, as they stand. */
const otherHeads = (heads: Record<string, number>, except: string) =>
  Object.fromEntries(Object.entries(heads).filter(([name]) => name !== except));

export async function write(probe: MatrixProbe, cell: Cell) {
  const { tokens, seeded, stored, snapshot, post } = probe;
  const { collection, operation, outcome, identity } = cell;
  const token = tokens[identity];
  const victim = operation === 'push-insert' || operation === 'batch' ? undefined : await seeded(collection);
  const document =
    operation === 'push-update' && victim ? changed(collection, victim) : victim ? { ...victim, _deleted: true } : freshDoc(collection);
  const victimBefore = victim && (await stored(homeOf(collection, D), collection, victim.id));
  const before = await snapshot();

  const answer =
    operation === 'batch'
      ? await post(
          'sync.batch',
          {
            ...(identity === 'device' ? {} : { replica: D }),
            operations: [{ collection, precondition: { kind: 'absent' }, write: document }],
          },
          token,
        )
      : await post('sync.push', { collection, rows: [{ assumedMasterState: victim ?? null, newDocumentState: document }] }, token);
  const after = await snapshot();
  // Only an allowed write may change D's document (or the store's, for its collections).
  if (victim && outcome !== 'A') expect(await stored(homeOf(collection, D), collection, victim.id), 'D’s document').toEqual(victimBefore);

  if (outcome === 'F' || outcome === 'U') {
    expectRefused(answer, outcome);
    expect(after, 'a refused write changes nothing').toEqual(before);
    return;
  }
  const own = ownReplicaOf[identity] as string;
  // Allowed, a write lands on D's side (D, or the store's replica for its collections); `O`, in the caller's own replica.
  const landing = outcome === 'A' ? homeOf(collection, D) : homeOf(collection, own);
  const result = resultOf<Record<string, unknown>>(answer);
  expect(result).toMatchObject(operation === 'batch' ? { ok: true } : { conflicts: [] });
  expect(otherHeads(after.file.heads, landing), `nothing but ${landing} changed`).toEqual(otherHeads(before.file.heads, landing));
  if (outcome === 'O') expect(landing).not.toBe(D);

  const landed = (await stored(landing, collection, document.id))?.document;
  if (operation === 'push-delete') {
    // A draft tombstone for a draft the caller's replica never had writes nothing; any other lands as a tombstone.
    if (outcome === 'A' || collection !== 'draftOrders') expect(landed).toMatchObject({ id: document.id, _deleted: true });
  } else if (collection === 'draftOrders') {
    // The server derives a draft's queryable fields from its Yjs document.
    expect(landed).toMatchObject({ id: document.id, _deleted: false, status: 'draft', note: document['note'] });
  } else if (collection === 'processedOrders' || collection === 'orderRequests') {
    // The server stamps the fields it owns: a processed order's steps, a request's answer.
    expect(landed).toMatchObject(document);
  } else {
    expect(landed).toEqual(document);
  }
  if (outcome === 'A' || operation !== 'push-delete' || collection !== 'draftOrders')
    expect(after.file.heads[landing]).toBeGreaterThan(before.file.heads[landing] ?? 0);
}
