/**
 * The authorization matrix: every (identity × collection × operation) cell,
 * run against a real server, with the outcome each cell must have written
 * out by hand from DESIGN.md in `expected-outcomes.ts`, never computed by
 * the server's own permission code. The cells of each operation group are
 * checked in `read-cells.ts`, `write-cells.ts` and `subscription-cells.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cells, collectionList, identities, operations } from './expected-outcomes.ts';
import { startMatrixProbe, type MatrixProbe } from './matrix-probe.ts';
import { read } from './read-cells.ts';
import { stream, watch } from './subscription-cells.ts';
import { write } from './write-cells.ts';

let probe: MatrixProbe;
beforeAll(async () => {
  probe = await startMatrixProbe();
});
afterAll(() => probe.server.stop());

describe('the authorization matrix (identity × collection × operation), against a real server', () => {
  it('has a cell for each of 10 identities × 7 collections × 8 operations', () => {
    expect(cells).toHaveLength(identities.length * collectionList.length * operations.length);
    expect(cells).toHaveLength(560);
    expect(new Set(cells.map((cell) => cell.name)).size).toBe(cells.length);
  });

  // One `it` per cell rather than `it.each`, whose `$name` cuts names at 40 characters, so each cell's name is whole and its own.
  for (const cell of cells) {
    it(cell.name, () => check(cell));
  }
});

function check(cell: (typeof cells)[number]) {
  switch (cell.operation) {
    case 'pull':
    case 'get':
      return read(probe, cell);
    case 'push-insert':
    case 'push-update':
    case 'push-delete':
    case 'batch':
      return write(probe, cell);
    case 'stream':
      return stream(probe, cell);
    case 'watch':
      return watch(probe, cell);
  }
}
