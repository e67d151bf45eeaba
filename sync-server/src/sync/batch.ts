import { PouroverError, type BatchRequest, type BatchResult } from '@pourover/protocol';
import { STORE, type Principal } from '@pourover/schemas';
import { hooksOf, specOf, type ServerApp } from '../app/server-app.ts';
import { validDocument, validIncrement } from './documents.ts';
import { authorize, ownReplica, type Syncgroups } from './permissions.ts';
import type { Store, Write } from '../store/store.ts';

/**
 * Applies a batch in one transaction, or nothing. Its writes go to one
 * replica (the caller's own, or the one the store names) and may also touch
 * the store's own collections (a counter of the store's taken for the
 * caller's write, say); every write is checked against its replica's syncgroups.
 */
export async function applyBatch(
  context: { app: ServerApp; store: Store; syncgroups: Syncgroups; principal: Principal; now: () => Date },
  input: BatchRequest,
): Promise<BatchResult> {
  const { app, store, principal } = context;
  const target = input.replica ?? ownReplica(principal);
  const replicas = input.operations.map((op) => authorize(context, principal, op.collection, ['write', 'batch'], target));
  if (replicas.some((replica) => replica !== target && replica !== STORE)) {
    throw new PouroverError('BAD_INPUT', 'a batch writes one replica (and the store’s own collections)');
  }
  // The app plans pushes of some collections (a merge, its rules); a batch would write past the plan.
  const planned = input.operations.find((op) => hooksOf(app, op.collection)?.planPush);
  if (planned)
    throw new PouroverError(
      'FORBIDDEN',
      `${planned.collection} are written by push, where the server merges them; a batch may not write them`,
    );
  const now = context.now();
  const added: Write[] = [];
  const writes: Write[] = await Promise.all(
    input.operations.map(async (op, index): Promise<Write> => {
      const replica = replicas[index] ?? target;
      if ('increment' in op) {
        return {
          replica,
          collection: op.collection,
          increment: validIncrement(app, op.collection, withoutUndefined(op.increment), `operations[${index}]`),
          schema: specOf(app, op.collection).schema,
        };
      }
      const written = validDocument(app, op.collection, op.write, `operations[${index}]`);
      const expect = op.precondition ?? { kind: 'none' as const };
      const review = hooksOf(app, op.collection)?.reviewBatchWrite;
      if (!review) return { replica, collection: op.collection, document: written, expect };
      const before = expect.kind === 'equals' ? expect.state : expect.kind === 'absent' ? null : undefined;
      const reviewed = await review({ store, replica, collection: op.collection, before, document: written, principal, now });
      added.push(...(reviewed.writes ?? []));
      return { replica, collection: op.collection, document: reviewed.document, expect };
    }),
  );
  // The writes the app adds come last, so a failed precondition's index still names the operation the caller sent.
  writes.push(...added);
  const result = await store.commit(target, writes, 'all', input.deadline ? { deadline: input.deadline } : {});
  if (result.ok) return { ok: true, seq: result.seq };
  if (result.reason === 'deadline') return { ok: false, reason: 'deadline' };
  const failed = input.operations[result.failedIndex];
  if (!failed) throw new PouroverError('PRECONDITION_FAILED', 'the store changed while this batch was applied; send it again');
  return {
    ok: false,
    reason: 'precondition',
    failed: {
      index: result.failedIndex,
      collection: failed.collection,
      id: 'increment' in failed ? failed.increment.id : failed.write.id,
      current: result.current?.document ?? null,
      ...(result.detail ? { detail: result.detail } : {}),
    },
  };
}

/** Drops absent optional fields, as the store's types (exactOptionalPropertyTypes) want them. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as never;
}
