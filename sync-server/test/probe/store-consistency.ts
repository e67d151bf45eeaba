/**
 * A consistency check over a store's SQLite file, for a test to run once
 * the server is shut down.
 */
import { isoTime, serverCollections } from '@pourover/schemas';
import Database from 'better-sqlite3';

type DocumentRow = { replica: string; collection: string; id: string; body: string; seq: number; updated_at: string; commit_no: number };

/**
 * Everything wrong with the store's SQLite file (empty when it is
 * consistent): every document row's body is a JSON object whose `id` is the
 * row's id, with a boolean `_deleted`, valid against its collection's schema;
 * seqs are unique per replica and at most the replica's head; commit numbers
 * are at most the commit counter; SQLite's own integrity check passes.
 */
export function consistencyProblems(file: string, limit = 50): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < limit) problems.push(problem);
  };
  try {
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok')
      report(`integrity_check: ${JSON.stringify(integrity).slice(0, 500)}`);
    const heads = new Map(
      db
        .prepare<[], { name: string; head: number }>('SELECT name, head FROM replicas')
        .all()
        .map((row) => [row.name, row.head]),
    );
    const commitCounter = db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'commit'").get()?.value ?? 0;
    const known = new Set<string>(Object.keys(serverCollections));
    const seqs = new Map<string, Set<number>>();
    for (const row of db
      .prepare<[], DocumentRow>('SELECT replica, collection, id, body, seq, updated_at, commit_no FROM documents')
      .iterate()) {
      const where = `${row.replica}/${row.collection}/${row.id}`;
      const seen = seqs.get(row.replica) ?? new Set<number>();
      seqs.set(row.replica, seen);
      if (seen.has(row.seq)) report(`${where}: seq ${row.seq} is not unique in its replica`);
      seen.add(row.seq);
      if (!Number.isInteger(row.seq) || row.seq < 1) report(`${where}: seq ${row.seq} is not a positive integer`);
      const head = heads.get(row.replica);
      if (head === undefined) report(`${where}: its replica has no head`);
      else if (row.seq > head) report(`${where}: seq ${row.seq} is past the replica's head ${head}`);
      if (!Number.isInteger(row.commit_no) || row.commit_no < 0 || row.commit_no > commitCounter) {
        report(`${where}: commit_no ${row.commit_no} is outside 0..${commitCounter}`);
      }
      if (!isoTime.safeParse(row.updated_at).success) report(`${where}: updated_at ${row.updated_at} is not an ISO time`);
      if (!known.has(row.collection)) {
        report(`${where}: unknown collection`);
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(row.body);
      } catch {
        report(`${where}: the body is not JSON`);
        continue;
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        report(`${where}: the body is not an object`);
        continue;
      }
      const { _deleted, ...fields } = body as Record<string, unknown>;
      if (fields['id'] !== row.id) report(`${where}: the body's id is ${JSON.stringify(fields['id'])}`);
      if (typeof _deleted !== 'boolean') report(`${where}: _deleted is ${JSON.stringify(_deleted)}`);
      const valid = serverCollections[row.collection as keyof typeof serverCollections].schema.safeParse(fields);
      if (!valid.success)
        report(`${where}: not a valid ${row.collection} document: ${valid.error.message.slice(0, 300)} in ${row.body.slice(0, 300)}`);
    }
  } finally {
    db.close();
  }
  return problems;
}
