/**
 * A real server for the authorization matrix and the input fuzz, on a
 * temporary folder with its SQLite file open read-only beside it, and
 * snapshots of what its store holds.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { serverLogger } from '../../src/http/logger.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import type { LimitOverrides } from '../../src/limits/limit-settings.ts';
import { tempDir } from '../support/test-server.ts';
import { pouroverApp } from '../../src/app/pourover-app.ts';

export type ProbeServer = RunningServer & {
  dir: string;
  /** The store's SQLite file. */
  file: string;
  /** A read-only connection to it, for snapshots. */
  db: Database.Database;
  /** The server's log lines of answers with a 5xx status (the server logs why), the first 100. */
  failures: Record<string, unknown>[];
  /** Closes the server and the read-only connection, keeping the folder (for a check of the files). */
  shutDown(): Promise<void>;
  /** Shuts down (if not yet) and removes the folder. */
  stop(): Promise<void>;
};

/** Limits high enough that no probe is ever rate limited (the limits have tests of their own). */
const GENEROUS: LimitOverrides = {
  device: { requests: { points: 1_000_000, seconds: 1 }, streams: 1_000 },
  account: { devices: 1_000_000, requests: { points: 1_000_000, seconds: 1 }, streams: 1_000 },
  address: {
    requests: { points: 1_000_000, seconds: 1 },
    streams: 1_000,
    publicCalls: { points: 1_000_000, seconds: 1 },
    failures: { failures: 1_000_000, seconds: 1, lockSeconds: 1 },
  },
  email: { failures: { failures: 1_000_000, seconds: 1, lockSeconds: 1 } },
  node: { streams: 100_000, hashes: 2, queuedHashes: 1_000, hashesPerAddress: 1_000 },
};

/** A seeded server on 127.0.0.1 and an ephemeral port, in a fresh temporary folder. */
export async function startProbeServer(limits: LimitOverrides = GENEROUS): Promise<ProbeServer> {
  const folder = tempDir();
  const failures: Record<string, unknown>[] = [];
  const destination = {
    write(text: string) {
      const line = JSON.parse(text) as Record<string, unknown>;
      if (typeof line['status'] === 'number' && line['status'] >= 500 && failures.length < 100) failures.push(line);
    },
  };
  const logger = serverLogger({ level: 'info', destination });
  const server = await startServer({ app: pouroverApp, dataDir: folder.dir, seed: true, port: 0, logger, limits });
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
      db
        .prepare<[], { name: string; head: number }>('SELECT name, head FROM replicas ORDER BY name')
        .all()
        .map((row) => [row.name, row.head]),
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
