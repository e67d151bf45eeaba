import type { Order } from '@pourover/schemas';

/** One accepted edit: which key of which order it set, on which device, from what to what. */
export type Edit = { step: number; device: number; orderId: string; key: string; before: number | string; after: number | string };

/**
 * No edit lost silently: for every key (an item, or the note) of every
 * order family (an order and the drafts split off it), each edit set to it
 * shows in some order of the family, or was overwritten by an edit that
 * shows, or lost to a concurrent edit of the same key (Yjs keeps one value).
 * An edit overwrote the edit whose value the device showed when it was made.
 * Only the edits of `which` devices are judged: the others may not have
 * sent theirs yet.
 */
export function lostEdits(edits: readonly Edit[], orders: readonly Order[], which: readonly number[]): string[] {
  const byOrder = new Map(orders.map((o) => [o.id, o]));
  const root = (id: string): string => {
    const from = byOrder.get(id)?.splitFrom;
    return from && from !== id ? root(from) : id;
  };
  const valuesOf = (family: string, key: string) =>
    new Set(
      orders
        .filter((o) => root(o.id) === family)
        .flatMap((o): (number | string)[] =>
          key === 'note' ? (o.note ? [o.note] : []) : o.lines.filter((l) => l.itemId === key).map((l) => l.count),
        ),
    );
  const groups = new Map<string, Edit[]>();
  for (const edit of edits) {
    const group = `${root(edit.orderId)} ${edit.key}`;
    groups.set(group, [...(groups.get(group) ?? []), edit]);
  }
  const problems: string[] = [];
  for (const [group, edits] of groups) {
    const [family, key] = group.split(' ') as [string, string];
    const shown = valuesOf(family, key);
    const overwrote = (edit: Edit): Edit | undefined => {
      const candidates = edits.filter((other) => other.step < edit.step && other.after === edit.before);
      return candidates.length === 1 ? candidates[0] : undefined;
    };
    const older = (edit: Edit) => {
      const found = new Set<Edit>();
      for (let e = overwrote(edit); e && !found.has(e); e = overwrote(e)) found.add(e);
      return found;
    };
    for (const value of shown) {
      if (!edits.some((edit) => edit.after === value))
        problems.push(`${key} of order family ${family} shows ${JSON.stringify(value)}, which no edit set`);
    }
    for (const edit of edits.filter((e) => which.includes(e.device))) {
      const behind = older(edit);
      const kept = edits.some((other) => shown.has(other.after) && !behind.has(other));
      if (!kept) {
        problems.push(
          `step ${edit.step}'s edit on device ${edit.device} of ${edit.key === 'note' ? 'the note' : `item ${edit.key}`} of ${edit.orderId} ` +
            `(${JSON.stringify(edit.before)} → ${JSON.stringify(edit.after)}) is lost: its family shows ${JSON.stringify([...shown])}`,
        );
      }
    }
  }
  return problems;
}
