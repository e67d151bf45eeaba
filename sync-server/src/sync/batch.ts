import { PouroverError, type BatchRequest, type BatchResult } from '@pourover/protocol';
import { collections, STORE, type Principal } from '@pourover/schemas';
import { validDocument, validIncrement } from './documents.ts';
import { authorize, ownReplica, type Syncgroups } from './permissions.ts';
import type { Store, Write } from '../store/store.ts';

/**
 * Applies a batch in one transaction, or nothing. Its writes go to one
 * replica (the caller's own, or the one the store names) and may also touch
 * the store's own collections, as when an order takes a place in a delivery
 * slot; every write is checked against its replica's syncgroups.
 */
export async function applyBatch(store: Store, syncgroups: Syncgroups, principal: Principal, input: BatchRequest): Promise<BatchResult> {
  const target = input.replica ?? ownReplica(principal);
  const replicas = input.operations.map((op) => authorize(syncgroups, principal, op.collection, ['write', 'batch'], target));
  if (replicas.some((replica) => replica !== target && replica !== STORE)) {
    throw new PouroverError('BAD_INPUT', 'a batch writes one replica (and the store’s own collections)');
  }
  // The server merges drafts and applies the order rules to them in a push; a batch would write past both.
  const merged = input.operations.find((op) => collections[op.collection].conflict === 'yjs-merge');
  if (merged)
    throw new PouroverError(
      'FORBIDDEN',
      `${merged.collection} are written by push, where the server merges them; a batch may not write them`,
    );
  const writes: Write[] = input.operations.map((op, index) => {
    const replica = replicas[index] ?? target;
    if ('increment' in op) {
      return {
        replica,
        collection: op.collection,
        increment: validIncrement(op.collection, withoutUndefined(op.increment), `operations[${index}]`),
      };
    }
    const document = validDocument(op.collection, op.write, `operations[${index}]`);
    return { replica, collection: op.collection, document, expect: op.precondition ?? { kind: 'none' as const } };
  });
  const result = await store.commit(target, writes, 'all', input.deadline ? { deadline: input.deadline } : {});
  if (result.ok) return { ok: true, seq: result.seq };
  if (result.reason === 'deadline') return { ok: false, reason: 'deadline' };
  const failed = input.operations[result.failedIndex];
  return {
    ok: false,
    reason: 'precondition',
    failed: {
      index: result.failedIndex,
      collection: failed?.collection ?? '',
      id: failed ? ('increment' in failed ? failed.increment.id : failed.write.id) : '',
      current: result.current?.document ?? null,
      ...(result.detail ? { detail: result.detail } : {}),
    },
  };
}

/** Drops absent optional fields, as the store's types (exactOptionalPropertyTypes) want them. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as never;
}
