import { PouroverError, type PushRequest, type WireDocument } from '@pourover/protocol';
import { collections } from '@pourover/schemas';
import { validDocument } from './documents.ts';
import { currentCatalog } from '../orders/current-catalog.ts';
import { planDraftPush } from '../orders/draft-writes.ts';
import { placingContexts } from '../orders/placing-facts.ts';
import type { Store } from '../store/store.ts';

/** How often a push whose reads went stale before its commit is planned again. */
const REPLANS = 5;

/**
 * Applies a push. Plain collections commit each row on its own (conflicts go
 * back to the device). Yjs-merged drafts are planned from the server's
 * current state and committed whole; if another writer got in between, the
 * plan is made again from the new state.
 */
export async function applyPush(
  store: Store,
  replica: string,
  input: PushRequest,
  now: () => Date,
): Promise<{ conflicts: WireDocument[]; seqs: number[] }> {
  const conflicts = await commitPush(store, replica, input, now);
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

async function commitPush(store: Store, replica: string, input: PushRequest, now: () => Date): Promise<WireDocument[]> {
  const ids = new Set(input.rows.map((row) => row.newDocumentState.id));
  if (ids.size !== input.rows.length) throw new PouroverError('BAD_INPUT', 'a push names each document once');
  input.rows.forEach((row, index) => validDocument(input.collection, row.newDocumentState, `rows[${index}]`));

  if (collections[input.collection].conflict !== 'yjs-merge') {
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
    const base = { catalog: await currentCatalog(store), now: now() };
    const [current, placing] = await Promise.all([
      store.getMany(
        replica,
        input.collection,
        input.rows.map((row) => row.newDocumentState.id),
      ),
      placingContexts(store, replica, input.rows, base),
    ]);
    const plans = input.rows.map((row, index) =>
      planDraftPush(row, current[index] ?? null, { ...base, placing: placing.get(row.newDocumentState.id) }),
    );
    const writes = plans.flatMap((plan) => plan.writes);
    const result = writes.length > 0 ? await store.commit(replica, writes, 'all') : { ok: true as const };
    if (result.ok) return plans.flatMap((plan) => plan.conflicts);
  }
  throw new PouroverError('PRECONDITION_FAILED', 'the drafts kept changing while this push was applied; push again');
}
