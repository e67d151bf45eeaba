import { orderNumber } from '../format.ts';
import type { BoardRow } from './board-groups.ts';
import { stepWords } from './board-moves.ts';

/** Where each order stood when the board last looked: id → status. */
export type Seen = ReadonlyMap<string, string>;

export const seenOf = (rows: readonly BoardRow[]): Seen => new Map(rows.map((row) => [row.order.id, row.order.status]));

/**
 * What changed on the board since it last looked, in sentences for a screen
 * reader's live region: a new order, or an order that moved to another step.
 * Nothing is said of the board's first look (its initial state).
 */
export function boardNews(before: Seen | null, rows: readonly BoardRow[], nameOf: (replica: string) => string | undefined): string[] {
  if (before === null) return [];
  const news: string[] = [];
  for (const { replica, order } of rows) {
    const was = before.get(order.id);
    if (was === order.status) continue;
    const who = nameOf(replica);
    const number = orderNumber(order.id);
    news.push(
      was === undefined
        ? `New order ${number}${who ? ` from ${who}` : ''}: ${stepWords[order.status]}.`
        : `Order ${number} is now ${stepWords[order.status]}.`,
    );
  }
  return news;
}
