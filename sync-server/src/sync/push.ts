import { PouroverError, type PushRequest, type WireDocument } from '@pourover/protocol';
import type { Principal } from '@pourover/schemas';
import { validDocument } from './documents.ts';
import { hooksOf, type ServerApp } from '../app/server-app.ts';
import { canonicalJson } from '../store/canonical.ts';
import type { Store } from '../store/store.ts';
import type { Context } from '../trpc/trpc.ts';
import { knownFields, type KnownFields } from './known-fields.ts';
import { authorize } from './permissions.ts';

/** How often a push whose reads went stale before its commit is planned again. */
const REPLANS = 5;

/** Where a push goes, and what the server knows to apply it. */
export type PushTarget = { app: ServerApp; store: Store; replica: string; now: () => Date };

/**
 * The `sync.push` call once its caller is known: authorized, applied, its
 * conflicts counted. The tRPC procedure and the plain push route
 * (http/push-route.ts) both run it.
 */
export async function pushCall(ctx: Context, principal: Principal, input: PushRequest) {
  const replica = authorize(ctx, principal, input.collection, ['write']);
  const result = await applyPush({ app: ctx.app, store: ctx.store, replica, now: ctx.now }, input);
  ctx.metrics.conflicts({ procedure: 'sync.push', reason: 'conflict' }, result.conflicts.length);
  return result;
}

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

  const fields = knownFields(app, input.collection);
  const planPush = hooksOf(app, input.collection)?.planPush;
  if (!planPush) return commitRows(target, input, fields);

  for (let attempt = 0; attempt < REPLANS; attempt += 1) {
    const plan = await planPush({ store, replica, collection: input.collection, rows: input.rows, now: target.now() });
    const result = plan.writes.length > 0 ? await store.commit(replica, plan.writes, 'all') : { ok: true as const };
    if (result.ok) return plan.conflicts.map(fields.known);
  }
  throw new PouroverError('PRECONDITION_FAILED', `the ${input.collection} kept changing while this push was applied; push again`);
}

/** A pushed row as it is committed: the document to write, and the state the write expects to replace. */
type Row = { document: WireDocument; assumed: WireDocument | null };

const sameState = (a: WireDocument | null, b: WireDocument | null) => canonicalJson(a) === canonicalJson(b);

/**
 * Commits each row of a plain collection on its own, the conflicts going
 * back to the device as this node serves them. A conflict that differs from
 * what the device last saw only by fields this node does not know (a newer
 * release wrote them; known-fields.ts) is no conflict: the device could not
 * have seen them, so its write is committed again over the stored state,
 * keeping them.
 */
async function commitRows(target: PushTarget, input: PushRequest, fields: KnownFields): Promise<WireDocument[]> {
  const { store, replica } = target;
  let rows: Row[] = input.rows.map((row) => ({ document: row.newDocumentState, assumed: row.assumedMasterState ?? null }));
  const conflicts: WireDocument[] = [];
  for (let attempt = 0; rows.length > 0; attempt += 1) {
    const writes = rows.map((row) => ({
      collection: input.collection,
      document: row.document,
      expect: { kind: 'assumed' as const, state: row.assumed },
    }));
    const result = await store.commit(replica, writes, 'each');
    if (!result.ok) throw new PouroverError('INTERNAL', 'a push cannot fail as a whole');
    const byId = new Map(rows.map((row) => [row.document.id, row]));
    const again: Row[] = [];
    for (const { document: current } of result.conflicts) {
      const seen = fields.known(current);
      const row = byId.get(current.id);
      // Already as the device wants it (a push sent again after the one that kept the newer fields).
      if (row && seen !== current && sameState(seen, fields.known(row.document))) continue;
      if (row && seen !== current && attempt < REPLANS && sameState(seen, row.assumed)) {
        again.push({ document: { ...fields.unknown(current), ...row.document }, assumed: current });
      } else conflicts.push(seen);
    }
    rows = again;
  }
  return conflicts;
}
