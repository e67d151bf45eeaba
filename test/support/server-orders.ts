import { join } from 'node:path';
import type { Order } from '@pourover/schemas';
import Database from 'better-sqlite3';

/** The collections an order moves through, in the order it moves. */
const stages = ['draftOrders', 'placedOrders', 'processedOrders'] as const;

export type LiveOrder = { collection: (typeof stages)[number]; order: Order };

/**
 * The orders of one replica that are not tombstones, read from the server's
 * file in one statement (one snapshot), so an order the server is moving is
 * seen before or after the move, never half moved; sorted by stage.
 */
export function liveServerOrders(dataDir: string, replica: string): LiveOrder[] {
  const db = new Database(join(dataDir, 'pourover.sqlite'), { readonly: true });
  try {
    return db
      .prepare<[string], { collection: LiveOrder['collection']; body: string }>(
        `SELECT collection, body FROM documents WHERE replica = ? AND collection IN (${stages.map((s) => `'${s}'`).join(', ')})`,
      )
      .all(replica)
      .flatMap((row) => {
        const order = JSON.parse(row.body) as Order & { _deleted?: boolean };
        return order._deleted ? [] : [{ collection: row.collection, order }];
      })
      .sort((a, b) => stages.indexOf(a.collection) - stages.indexOf(b.collection));
  } finally {
    db.close();
  }
}
