import type { WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/schemas';
import type { PoolClient } from 'pg';
import { canonicalJson } from './canonical.ts';
import { decide } from './decide.ts';
import { applyIncrement } from './increment.ts';
import type { CommitMode, CommitOptions, CommitResult, StoredDocument, Write } from './store.ts';

export type CommitInput = {
  replica: string;
  writes: readonly Write[];
  mode: CommitMode;
  options: CommitOptions;
  /** A clock for tests; the database's clock when absent. */
  now: (() => Date) | undefined;
  /** Names this store in its notifications, so it skips its own. */
  instance: string;
  channel: string;
};

export type CommitOutcome = { result: CommitResult; changed: string[] };

type Target = { replica: string; collection: CollectionName; id: string };
type CurrentRow = { body: string | null; seq: string | null; updated_at: Date | null; commit_no: string | null; now: Date };

const keyOf = (target: Target) => JSON.stringify([target.replica, target.collection, target.id]);

/**
 * One commit as one PostgreSQL transaction, deciding every write exactly as
 * the SQLite store does (`decide`, `applyIncrement`). The locks it takes, in
 * this order, are what keep readers from seeing a later seq or commit number
 * before an earlier one: its replicas' rows (sorted by name), then, once a
 * write is sure to apply, the commit counter. Both are held to COMMIT.
 */
export async function commitTransaction(client: PoolClient, input: CommitInput): Promise<CommitOutcome> {
  await client.query('BEGIN');
  let outcome: CommitOutcome;
  try {
    outcome = await decideAndWrite(client, input);
  } catch (error) {
    // The original error matters, not a failed rollback; the caller drops the connection either way.
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  // A commit that changed nothing leaves no trace, not even a replica row for a new name.
  await client.query(outcome.changed.length > 0 ? 'COMMIT' : 'ROLLBACK');
  return outcome;
}

async function decideAndWrite(client: PoolClient, input: CommitInput): Promise<CommitOutcome> {
  const { replica, writes, mode, options } = input;
  const targets: Target[] = writes.map((write) => ({
    replica: write.replica ?? replica,
    collection: write.collection,
    id: 'increment' in write ? write.increment.id : write.document.id,
  }));
  const heads = new Map<string, number>();
  for (const name of [...new Set([replica, ...targets.map((target) => target.replica)])].sort()) {
    heads.set(name, await lockReplica(client, name));
  }
  const { now, current } = await readCurrent(client, targets, input.now);
  if (options.deadline !== undefined && now.toISOString() >= options.deadline) return refused({ ok: false, reason: 'deadline' });

  let commitNo: number | undefined;
  const changedHeads = new Map<string, number>();
  const puts = new Map<string, StoredDocument & { id: string }>();
  const conflicts: StoredDocument[] = [];
  for (const [index, write] of writes.entries()) {
    const target = targets[index] as Target;
    const key = keyOf(target);
    const found = current.get(key) ?? null;
    let next: WireDocument;
    if ('increment' in write) {
      const result = applyIncrement(found?.document ?? null, write, now);
      if (typeof result === 'string') return refused({ ok: false, reason: 'precondition', failedIndex: index, current: found, detail: result });
      next = result;
    } else {
      const decision = decide(found?.document ?? null, write.document, write.expect);
      if (decision === 'conflict') {
        if (mode === 'all') return refused({ ok: false, reason: 'precondition', failedIndex: index, current: found });
        if (found) conflicts.push(found);
        continue;
      }
      if (decision === 'unchanged') continue;
      next = write.document;
    }
    commitNo ??= await takeCommitNumber(client);
    const seq = (changedHeads.get(target.replica) ?? heads.get(target.replica) ?? 0) + 1;
    changedHeads.set(target.replica, seq);
    const stored = { replica: target.replica, collection: target.collection, document: next, seq, updatedAt: now.toISOString(), commit: commitNo };
    // A later write of the same document in this commit reads this state, and only the last one is stored.
    current.set(key, stored);
    puts.set(key, { ...stored, id: target.id });
  }
  if (commitNo === undefined) return { result: { ok: true, seq: heads.get(replica) ?? 0, changed: false, conflicts }, changed: [] };

  await writeChanges(client, { puts: [...puts.values()], heads: changedHeads, commitNo, now, input });
  const seq = changedHeads.get(replica) ?? heads.get(replica) ?? 0;
  return { result: { ok: true, seq, changed: true, conflicts }, changed: [...changedHeads.keys()] };
}

const refused = (result: CommitResult): CommitOutcome => ({ result, changed: [] });

/**
 * Locks a replica's row for the rest of the transaction and returns its head.
 * A new replica's row is inserted first; a concurrent insert of the same
 * name waits for ours, so the lock order by name still holds.
 */
async function lockReplica(client: PoolClient, name: string): Promise<number> {
  const lock = () => client.query<{ head: string }>('SELECT head FROM replicas WHERE name = $1 FOR UPDATE', [name]);
  let { rows } = await lock();
  if (rows.length === 0) {
    await client.query('INSERT INTO replicas (name, head) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
    ({ rows } = await lock());
  }
  return Number(rows[0]?.head ?? 0);
}

/** The current state of every written document, read after the locks so it is the latest committed, and the clock. */
async function readCurrent(client: PoolClient, targets: Target[], clock: (() => Date) | undefined) {
  const { rows } = await client.query<CurrentRow>(
    `SELECT d.body, d.seq, d.updated_at, d.commit_no, clock_timestamp() AS now
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(replica, collection, id, n)
     LEFT JOIN documents d ON d.replica = k.replica AND d.collection = k.collection AND d.id = k.id
     ORDER BY k.n`,
    [targets.map((t) => t.replica), targets.map((t) => t.collection), targets.map((t) => t.id)],
  );
  const current = new Map<string, StoredDocument>();
  rows.forEach((row, index) => {
    const target = targets[index];
    if (!target || row.body === null) return;
    current.set(keyOf(target), {
      replica: target.replica,
      collection: target.collection,
      document: JSON.parse(row.body) as WireDocument,
      seq: Number(row.seq),
      updatedAt: (row.updated_at as Date).toISOString(),
      commit: Number(row.commit_no),
    });
  });
  const now = clock ? clock() : (rows[0]?.now ?? (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]?.now);
  if (!now) throw new Error('the database did not report its clock');
  return { now, current };
}

/**
 * Takes the store-wide commit number. The counter row stays locked to COMMIT,
 * so every changing commit waits here for the one before it to finish: one
 * at a time across all replicas, which is what keeps commit numbers visible
 * in order for `watchChanges`.
 */
async function takeCommitNumber(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ value: string }>(`UPDATE counters SET value = value + 1 WHERE name = 'commit' RETURNING value`);
  return Number(rows[0]?.value);
}

/** Stores the documents, moves the heads and queues the notifications (sent by PostgreSQL only if the transaction commits), in one round trip. */
async function writeChanges(
  client: PoolClient,
  change: { puts: (StoredDocument & { id: string })[]; heads: Map<string, number>; commitNo: number; now: Date; input: CommitInput },
) {
  const { puts, heads, commitNo, now, input } = change;
  await client.query(
    `WITH stored AS (
       INSERT INTO documents (replica, collection, id, body, deleted, seq, updated_at, commit_no)
       SELECT w.*, $7::timestamptz, $8::bigint
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[]) AS w
       ON CONFLICT (replica, collection, id) DO UPDATE
       SET body = excluded.body, deleted = excluded.deleted, seq = excluded.seq,
           updated_at = excluded.updated_at, commit_no = excluded.commit_no
     ), moved AS (
       UPDATE replicas r SET head = v.head FROM unnest($9::text[], $10::bigint[]) AS v(name, head) WHERE r.name = v.name
     )
     SELECT pg_notify($11, json_build_object('from', $12::text, 'commit', $8::bigint, 'replica', v.name)::text)
     FROM unnest($9::text[]) AS v(name)`,
    [
      puts.map((put) => put.replica),
      puts.map((put) => put.collection),
      puts.map((put) => put.id),
      puts.map((put) => canonicalJson(put.document)),
      puts.map((put) => put.document._deleted),
      puts.map((put) => put.seq),
      now.toISOString(),
      commitNo,
      [...heads.keys()],
      [...heads.values()],
      input.channel,
      input.instance,
    ],
  );
}
