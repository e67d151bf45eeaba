import { PouroverError, type PushRequest, type WireDocument } from '@pourover/protocol';
import { validDocument } from './documents.ts';
import { hooksOf, type ServerApp } from '../app/server-app.ts';
import type { Store } from '../store/store.ts';

/** How often a push whose reads went stale before its commit is planned again. */
const REPLANS = 5;

/** Where a push goes, and what the server knows to apply it. */
export type PushTarget = { app: ServerApp; store: Store; replica: string; now: () => Date };

/**
 * Applies a push. Plain collections commit each row on its own (conflicts go
 * back to the device). A collection the app plans pushes for (its hook's
 * `planPush`) is planned from the server's current state and committed
 * whole; if another writer got in between, the plan is made again from the
 * new state.
 */
export async function applyPush(target: PushTarget, input: PushRequest): Promise<{ conflicts: WireDocument[]; seqs: number[] }> {
  const { store, replica } = target;
  const conflicts = await commitPush(target, input);
  return { conflicts, seqs: await seqsOf(store, replica, input) };
}

/**
 * Where each pushed document stands after the push. Read after the commit: a
 * later writer may already have moved it further, which only makes the
 * device wait for that newer state.
 */
function seqsOf(store: Store, replica: string, input: PushRequest): Promise<number[]> {
  return store.seqs(
    replica,
    input.collection,
    input.rows.map((row) => row.newDocumentState.id),
  );
}

async function commitPush(target: PushTarget, input: PushRequest): Promise<WireDocument[]> {
  const { app, store, replica } = target;
  const ids = new Set(input.rows.map((row) => row.newDocumentState.id));
  if (ids.size !== input.rows.length) throw new PouroverError('BAD_INPUT', 'a push names each document once');
  // A collection whose batch writes the app reviews is written by reviewed batches only, whatever its syncgroup grants.
  if (hooksOf(app, input.collection)?.reviewBatchWrite)
    throw new PouroverError('FORBIDDEN', `${input.collection} is written by reviewed batches only, never by a push`);
  input.rows.forEach((row, index) => validDocument(app, input.collection, row.newDocumentState, `rows[${index}]`));

  const planPush = hooksOf(app, input.collection)?.planPush;
  if (!planPush) {
    const writes = input.rows.map((row) => ({
      collection: input.collection,
      document: row.newDocumentState,
      expect: { kind: 'assumed' as const, state: row.assumedMasterState ?? null },
    }));
    const result = await store.commit(replica, writes, 'each');
    if (!result.ok) throw new PouroverError('INTERNAL', 'a push cannot fail as a whole');
    return result.conflicts.map((stored) => stored.document);
  }

  for (let attempt = 0; attempt < REPLANS; attempt += 1) {
    const plan = await planPush({ store, replica, collection: input.collection, rows: input.rows, now: target.now() });
    const result = plan.writes.length > 0 ? await store.commit(replica, plan.writes, 'all') : { ok: true as const };
    if (result.ok) return plan.conflicts;
  }
  throw new PouroverError('PRECONDITION_FAILED', `the ${input.collection} kept changing while this push was applied; push again`);
}
