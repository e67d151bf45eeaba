import type { WireDocument } from '@pourover/protocol';
import type { PoolClient } from 'pg';
import { decide, encoded, type Encoded } from '../decide.ts';
import { applyIncrement } from '../increment.ts';
import type { CommitMode, CommitOptions, CommitResult, StoredDocument, Write } from '../store.ts';

/** One commit as a caller asked for it. */
export type CommitRequest = { replica: string; writes: readonly Write[]; mode: CommitMode; options: CommitOptions };

export type GroupContext = {
  /** A clock for tests; the database's clock when absent. */
  now: (() => Date) | undefined;
  /** Names this store in its notifications, so it skips its own. */
  instance: string;
  channel: string;
};

export type CommitOutcome = { result: CommitResult; changed: string[] };

/** The transaction failed at COMMIT: whether it was written is unknown, so its commits must not be tried again. */
export class CommitUnknown extends Error {
  constructor(cause: unknown) {
    super(`the commit's outcome is unknown: ${String(cause)}`, { cause });
  }
}

type Target = { replica: string; collection: string; id: string };
type CurrentRow = { body: string | null; seq: string | null; updated_at: Date | null; commit_no: string | null; now: Date };
/** A document's state as the group sees it, with its canonical JSON as stored (`decide` compares that). */
type Held = StoredDocument & { json: string };
/** A document this group writes; `ordinal` numbers the commit within the group, until the counter is taken. */
type Put = Held & { id: string; ordinal: number };

const keyOf = (target: Target) => JSON.stringify([target.replica, target.collection, target.id]);

const targetsOf = (request: CommitRequest): Target[] =>
  request.writes.map((write) => ({
    replica: write.replica ?? request.replica,
    collection: write.collection,
    id: 'increment' in write ? write.increment.id : write.document.id,
  }));

/**
 * Several commits as one PostgreSQL transaction: one WAL flush for them
 * all. Each is decided in turn, exactly as the SQLite store decides
 * (`decide`, `applyIncrement`), over the state the ones before it left; a
 * refused commit leaves nothing behind. The locks, in this order, keep
 * readers from seeing a later seq or commit number before an earlier one:
 * every replica row the group writes (sorted by name), then, in the one
 * statement that writes the group's changes, the commit counter. Both are
 * held to COMMIT.
 */
export async function commitGroup(client: PoolClient, requests: readonly CommitRequest[], context: GroupContext): Promise<CommitOutcome[]> {
  await client.query('BEGIN');
  let outcomes: CommitOutcome[];
  try {
    outcomes = await decideAndWrite(client, requests, context);
  } catch (error) {
    // The original error matters, not a failed rollback; the caller drops the connection either way.
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  // A group that changed nothing leaves no trace, not even a replica row for a new name.
  if (!outcomes.some((outcome) => outcome.changed.length > 0)) {
    await client.query('ROLLBACK');
    return outcomes;
  }
  try {
    await client.query('COMMIT');
  } catch (error) {
    throw new CommitUnknown(error);
  }
  return outcomes;
}

async function decideAndWrite(client: PoolClient, requests: readonly CommitRequest[], context: GroupContext): Promise<CommitOutcome[]> {
  const targets = requests.map(targetsOf);
  const names = [
    ...new Set(requests.flatMap((request, index) => [request.replica, ...(targets[index] ?? []).map((target) => target.replica)])),
  ].sort();
  const locked = await lockReplicas(client, names);
  const { now, current } = await readCurrent(client, targets.flat(), context.now);

  const heads = new Map(locked);
  const puts = new Map<string, Put>();
  let ordinal = 0;
  const outcomes = requests.map((request, index): CommitOutcome => {
    const { options } = request;
    if (options.deadline !== undefined && now.toISOString() >= options.deadline) return refused({ ok: false, reason: 'deadline' });
    const staged = decideOne(request, targets[index] ?? [], { current, heads, now, ordinal: ordinal + 1 });
    if ('refused' in staged) return refused(staged.refused);
    if (staged.puts.size === 0)
      return { result: { ok: true, seq: heads.get(request.replica) ?? 0, changed: false, conflicts: staged.conflicts }, changed: [] };
    ordinal += 1;
    for (const [key, put] of staged.puts) {
      current.set(key, put);
      puts.set(key, put);
    }
    for (const [name, head] of staged.heads) heads.set(name, head);
    return {
      result: { ok: true, seq: heads.get(request.replica) ?? 0, changed: true, conflicts: staged.conflicts },
      changed: [...staged.heads.keys()],
    };
  });
  if (ordinal === 0) return outcomes.map((outcome) => reported(outcome, 0));

  const changed = new Map([...heads].filter(([name, head]) => head !== locked.get(name)));
  const unused = names.filter((name) => locked.get(name) === 0 && !changed.has(name));
  const base = await writeChanges(client, { puts: [...puts.values()], heads: changed, unused, commits: ordinal, now, context });
  return outcomes.map((outcome) => reported(outcome, base));
}

type Staged = { puts: Map<string, Put>; heads: Map<string, number>; conflicts: Held[] } | { refused: CommitResult };

/** Decides one commit's writes over the group's state so far, staging what it would write. */
function decideOne(
  request: CommitRequest,
  targets: readonly Target[],
  group: {
    current: ReadonlyMap<string, Held>;
    heads: ReadonlyMap<string, number>;
    now: Date;
    ordinal: number;
  },
): Staged {
  const puts = new Map<string, Put>();
  const heads = new Map<string, number>();
  const conflicts: Held[] = [];
  for (const [index, write] of request.writes.entries()) {
    const target = targets[index] as Target;
    const key = keyOf(target);
    // A refusal reports the state before this commit: a refused commit leaves nothing, not even its own earlier writes.
    const before = group.current.get(key) ?? null;
    const found = puts.get(key) ?? before;
    let next: Encoded;
    if ('increment' in write) {
      const result = applyIncrement(found?.document ?? null, write, group.now);
      if (typeof result === 'string')
        return { refused: { ok: false, reason: 'precondition', failedIndex: index, current: before, detail: result } };
      next = encoded(result);
    } else {
      next = encoded(write.document);
      const decision = decide(found, next, write.expect);
      if (decision === 'conflict') {
        if (request.mode === 'all') return { refused: { ok: false, reason: 'precondition', failedIndex: index, current: before } };
        if (before) conflicts.push(before);
        continue;
      }
      if (decision === 'unchanged') continue;
    }
    const seq = (heads.get(target.replica) ?? group.heads.get(target.replica) ?? 0) + 1;
    heads.set(target.replica, seq);
    // A later write of the same document reads this state, and only the last one is stored.
    puts.set(key, {
      ...target,
      document: next.document,
      json: next.json,
      seq,
      updatedAt: group.now.toISOString(),
      commit: 0,
      ordinal: group.ordinal,
    });
  }
  return { puts, heads, conflicts };
}

const refused = (result: CommitResult): CommitOutcome => ({ result, changed: [] });

/**
 * The outcome as the caller sees it: each document it reports (a conflict,
 * a refusal's current state) as stored, and one an earlier commit of this
 * group wrote with its commit number, known once the counter is taken.
 */
function reported(outcome: CommitOutcome, base: number): CommitOutcome {
  const number = (held: StoredDocument & { ordinal?: number }): StoredDocument => {
    const { replica, collection, document, seq, updatedAt, commit, ordinal } = held;
    return { replica, collection, document, seq, updatedAt, commit: ordinal === undefined ? commit : base + ordinal };
  };
  const { result } = outcome;
  if (result.ok) return { ...outcome, result: { ...result, conflicts: result.conflicts.map(number) } };
  if (result.reason === 'precondition' && result.current) return { ...outcome, result: { ...result, current: number(result.current) } };
  return outcome;
}

/**
 * Locks the rows of the named replicas for the rest of the transaction, in
 * name order, and returns their heads. A new replica's row is inserted in
 * the same statement; a concurrent insert of the same name waits for ours,
 * so the locks still follow name order.
 */
async function lockReplicas(client: PoolClient, names: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await client.query<{ name: string; head: string }>(
    `INSERT INTO replicas AS r (name, head) SELECT name, 0 FROM unnest($1::text[]) AS name ORDER BY name
     ON CONFLICT (name) DO UPDATE SET head = r.head
     RETURNING name, head`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, Number(row.head)]));
}

/** The current state of every written document, read after the locks so it is the latest committed, and the clock. */
async function readCurrent(client: PoolClient, targets: readonly Target[], clock: (() => Date) | undefined) {
  const { rows } = await client.query<CurrentRow>(
    `SELECT d.body, d.seq, d.updated_at, d.commit_no, clock_timestamp() AS now
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(replica, collection, id, n)
     LEFT JOIN documents d ON d.replica = k.replica AND d.collection = k.collection AND d.id = k.id
     ORDER BY k.n`,
    [targets.map((t) => t.replica), targets.map((t) => t.collection), targets.map((t) => t.id)],
  );
  const current = new Map<string, Held>();
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
      json: row.body,
    });
  });
  const now = clock ? clock() : (rows[0]?.now ?? (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]?.now);
  if (!now) throw new Error('the database did not report its clock');
  return { now, current };
}

/**
 * In one round trip: takes the group's commit numbers from the store-wide
 * counter, stores the documents, moves the heads, drops the rows of new
 * replicas nothing was written to, and queues the notifications (sent by
 * PostgreSQL only if the transaction commits). The counter row stays locked
 * to COMMIT, so every changing group waits here for the one before it to
 * finish: one at a time across all nodes, which is what keeps commit numbers
 * visible in order for `watchChanges`. Returns the number before the group's first.
 */
async function writeChanges(
  client: PoolClient,
  change: { puts: Put[]; heads: Map<string, number>; unused: string[]; commits: number; now: Date; context: GroupContext },
): Promise<number> {
  const { puts, heads, unused, commits, now, context } = change;
  const { rows } = await client.query<{ base: string }>(
    `WITH counter AS (
       UPDATE counters SET value = value + $8 WHERE name = 'commit' RETURNING value - $8 AS base
     ), stored AS (
       INSERT INTO documents (replica, collection, id, body, deleted, seq, updated_at, commit_no)
       SELECT w.replica, w.collection, w.id, w.body, w.deleted, w.seq, $7::timestamptz, counter.base + w.ordinal
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[], $9::bigint[])
         AS w(replica, collection, id, body, deleted, seq, ordinal), counter
       ON CONFLICT (replica, collection, id) DO UPDATE
       SET body = excluded.body, deleted = excluded.deleted, seq = excluded.seq,
           updated_at = excluded.updated_at, commit_no = excluded.commit_no
     ), moved AS (
       UPDATE replicas r SET head = v.head FROM unnest($10::text[], $11::bigint[]) AS v(name, head) WHERE r.name = v.name
     ), dropped AS (
       DELETE FROM replicas WHERE name = ANY($14::text[])
     )
     SELECT counter.base, pg_notify($12, json_build_object('from', $13::text, 'commit', counter.base + $8, 'replica', v.name)::text)
     FROM unnest($10::text[]) AS v(name), counter`,
    [
      puts.map((put) => put.replica),
      puts.map((put) => put.collection),
      puts.map((put) => put.id),
      puts.map((put) => put.json),
      puts.map((put) => put.document._deleted),
      puts.map((put) => put.seq),
      now.toISOString(),
      commits,
      puts.map((put) => put.ordinal),
      [...heads.keys()],
      [...heads.values()],
      context.channel,
      context.instance,
      unused,
    ],
  );
  const base = rows[0]?.base;
  if (base === undefined) throw new Error('the commit counter is missing');
  return Number(base);
}
