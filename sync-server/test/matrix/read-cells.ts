/**
 * The matrix's read cells (`pull`, `get`): a read writes nothing, and
 * delivers D's document only where the cell allows it.
 */
import type { WireDocument } from '@pourover/protocol';
import { expect } from 'vitest';
import { resultOf } from '../support/test-server.ts';
import { expectRefused } from './expect-refused.ts';
import { D, homeOf, ownReplicaOf, type Cell } from './expected-outcomes.ts';
import type { MatrixProbe } from './matrix-probe.ts';

export async function read(probe: MatrixProbe, cell: Cell) {
  const { tokens, seeded, snapshot, query, server } = probe;
  const { collection, outcome } = cell;
  const token = tokens[cell.identity];
  const victim = await seeded(collection);
  const before = await snapshot();
  const answer =
    cell.operation === 'pull'
      ? await query('sync.pull', { collection, checkpoint: null, limit: 1000 }, token)
      : await query('sync.get', { collection, ids: [victim.id], replica: D }, token);
  expect(await snapshot(), 'a read writes nothing').toEqual(before);
  if (outcome === 'F' || outcome === 'U') return expectRefused(answer, outcome);
  const { documents } = resultOf<{ documents: WireDocument[] }>(answer);
  if (outcome === 'A') {
    expect(documents).toContainEqual(victim);
  } else {
    const own = ownReplicaOf[cell.identity] as string;
    expect(documents.map((document) => document.id)).not.toContain(victim.id);
    const ownDocuments = (await server.store.pull(homeOf(collection, own), collection, 0, 1000)).map((row) => row.document);
    expect(documents).toEqual(ownDocuments);
  }
}
