/**
 * Helpers for the authorization matrix and the input fuzz: a real server on a
 * temporary folder (with its SQLite file open read-only beside it), snapshots
 * of what the store holds, a consistency check over the SQLite file, and a
 * live event-stream reader. Not a test file.
 */
import { join } from 'node:path';
import { collectionNames, collections, isoTime, type CollectionName } from '@pourover/schemas';
import Database from 'better-sqlite3';
import { startServer, type LogLine, type RunningServer } from '../http-server.ts';
import type { LimitSettings } from '../limits.ts';
import { parseEvents, tempDir, type SseEvent } from '../test-support.ts';

export type ProbeServer = RunningServer & {
  dir: string;
  /** The store's SQLite file. */
  file: string;
  /** A read-only connection to it, for snapshots. */
  db: Database.Database;
  /** The server's log lines of answers with a 5xx status (the server logs why), the first 100. */
  failures: LogLine[];
  /** Closes the server and the read-only connection, keeping the folder (for a check of the files). */
  shutDown(): Promise<void>;
  /** Shuts down (if not yet) and removes the folder. */
  stop(): Promise<void>;
};

/** Limits high enough that no probe is ever rate limited (the limits have tests of their own). */
const GENEROUS: LimitSettings = { requestsPerSecond: 1_000_000, burst: 1_000_000, streamsPerBlessing: 1_000 };

/** A seeded server on 127.0.0.1 and an ephemeral port, in a fresh temporary folder. */
export async function startProbeServer(limits: Partial<LimitSettings> = GENEROUS): Promise<ProbeServer> {
  const folder = tempDir();
  const failures: LogLine[] = [];
  const log = (line: LogLine) => {
    if (typeof line['status'] === 'number' && line['status'] >= 500 && failures.length < 100) failures.push(line);
  };
  const server = await startServer({ dataDir: folder.dir, seed: true, port: 0, log, limits });
  const file = join(folder.dir, 'pourover.sqlite');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let running = true;
  const shutDown = async () => {
    if (!running) return;
    running = false;
    await server.close();
    db.close();
  };
  return {
    ...server,
    dir: folder.dir,
    file,
    db,
    failures,
    shutDown,
    async stop() {
      await shutDown();
      folder.remove();
    },
  };
}

/** What the store holds, in numbers: every replica's head, the document rows and the commit counter. */
export type StoreSnapshot = {
  heads: Record<string, number>;
  rows: number;
  seqTotal: number;
  lastCommitNo: number;
  commitCounter: number;
};

export function snapshotOf(db: Database.Database): StoreSnapshot {
  return db.transaction((): StoreSnapshot => {
    const heads = Object.fromEntries(
      db.prepare<[], { name: string; head: number }>('SELECT name, head FROM replicas ORDER BY name').all().map((row) => [row.name, row.head]),
    );
    const totals = db
      .prepare<[], { rows: number; seqTotal: number; lastCommitNo: number | null }>(
        'SELECT count(*) AS rows, total(seq) AS seqTotal, max(commit_no) AS lastCommitNo FROM documents',
      )
      .get();
    const counter = db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'commit'").get();
    return {
      heads,
      rows: totals?.rows ?? 0,
      seqTotal: totals?.seqTotal ?? 0,
      lastCommitNo: totals?.lastCommitNo ?? 0,
      commitCounter: counter?.value ?? 0,
    };
  })();
}

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
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') report(`integrity_check: ${JSON.stringify(integrity).slice(0, 500)}`);
    const heads = new Map(db.prepare<[], { name: string; head: number }>('SELECT name, head FROM replicas').all().map((row) => [row.name, row.head]));
    const commitCounter = db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'commit'").get()?.value ?? 0;
    const known = new Set<string>(collectionNames);
    const seqs = new Map<string, Set<number>>();
    for (const row of db.prepare<[], DocumentRow>('SELECT replica, collection, id, body, seq, updated_at, commit_no FROM documents').iterate()) {
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
      const valid = collections[row.collection as CollectionName].schema.safeParse(fields);
      if (!valid.success) report(`${where}: not a valid ${row.collection} document: ${valid.error.message.slice(0, 300)} in ${row.body.slice(0, 300)}`);
    }
  } finally {
    db.close();
  }
  return problems;
}

/** Whether an SSE event is data (tRPC's tracked data carries no event name). */
export const isData = (event: SseEvent) => event.event === undefined;
/** Whether an SSE event is tRPC's typed error event. */
export const isError = (event: SseEvent) => event.event === 'serialized-error';

/**
 * A live event stream read in the background, so a test can act while it
 * is open (write, then wait for the change to arrive).
 */
export class LiveStream {
  status = 0;
  text = '';
  ended = false;
  /** Why reading failed, other than being closed. */
  failure: unknown;
  readonly #controller = new AbortController();
  readonly #done: Promise<void>;

  constructor(url: string, token: string | undefined) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    this.#done = this.#read(url, headers).catch((error: unknown) => {
      this.failure = error;
    });
  }

  async #read(url: string, headers: Record<string, string>) {
    try {
      const response = await fetch(url, { headers, signal: this.#controller.signal });
      this.status = response.status;
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        this.text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      if (!this.#controller.signal.aborted) throw error;
    } finally {
      this.ended = true;
    }
  }

  get events(): SseEvent[] {
    return parseEvents(this.text);
  }

  /** The parsed data of the data events so far. */
  get data(): unknown[] {
    return this.events.filter(isData).map((event) => JSON.parse(event.data) as unknown);
  }

  /** Waits until `check` holds of the events so far (true), or the stream ended or `timeoutMs` passed without it (false). */
  async waitFor(check: (events: SseEvent[]) => boolean, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (check(this.events)) return true;
      if (this.ended || Date.now() > deadline) return check(this.events);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close() {
    this.#controller.abort();
    await this.#done;
    if (this.failure !== undefined) throw this.failure;
  }
}
