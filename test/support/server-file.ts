import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Reads a server's SQLite file directly (read-only; WAL lets it run beside the server). */
export function readServerFile(dataDir: string) {
  const db = new Database(join(dataDir, 'pourover.sqlite'), { readonly: true });
  return {
    documents(replica: string, collection: string) {
      return db
        .prepare<[string, string], { id: string; body: string; seq: number }>(
          'SELECT id, body, seq FROM documents WHERE replica = ? AND collection = ? ORDER BY seq',
        )
        .all(replica, collection)
        .map((row) => ({ ...row, document: JSON.parse(row.body) as Record<string, unknown> }));
    },
    /** Every replica that holds documents. */
    replicas(): string[] {
      return db
        .prepare<[], { replica: string }>('SELECT DISTINCT replica FROM documents')
        .all()
        .map((row) => row.replica);
    },
    head(replica: string): number {
      return db.prepare<[string], { head: number }>('SELECT head FROM replicas WHERE name = ?').get(replica)?.head ?? 0;
    },
    close: () => db.close(),
  };
}

/** How many orders of these shoppers are placed and not yet processed, in a server's file. */
export function livePlacedCount(dataDir: string, shoppers: readonly { replica: string }[]): number {
  const file = readServerFile(dataDir);
  const count = shoppers.reduce(
    (sum, s) => sum + file.documents(s.replica, 'placedOrders').filter((row) => !row.document['_deleted']).length,
    0,
  );
  file.close();
  return count;
}
