import { describe, expect, it } from 'vitest';
import { compare, comparisonTable, directionOf, figuresFromJson, figuresFromTable, type RunFigures } from './comparison.ts';
import { figuresOf, table } from './stats.ts';

/** What a bench printed on stdout before there was a JSON option: a heading line, the table, the groups left out. */
const printed = `
Node v20.20.0, devices on fake-indexeddb, servers on 127.0.0.1 (quick run)

| figure                                         | median        | range         | baseline                                       | ratio | durability, settings |
|------------------------------------------------|---------------|---------------|------------------------------------------------|-------|----------------------|
| initial sync, 500 orders: Pourover             | 480.12 ms     | 470.5–490     | initial sync, 500 orders: RxDB bulkInsert (floor) | 2.1× | Pourover: SQLite, fsync per commit; PouchDB: express-pouchdb in memory |
| initial sync, 500 orders: RxDB bulkInsert (floor) | 228.6 ms   | 220–231       |                                                |       |                      |
| pushes from 50 devices                         | 1234 pushes/s | 1234–1234     |                                                |       | SQLite, fsync per commit |
| server RSS, no open streams                    | 81.3 MiB      | 81.3–81.3     |                                                |       |                      |
| Chromium: migrate 500 orders                   | not measured  |               |                                                |       | no Chromium          |

Left out: orders, processor (npm run bench -- --only orders,processor --quick)
`;

const run = (entries: [string, number, string][]): RunFigures => new Map(entries.map(([name, value, unit]) => [name, { value, unit }]));

describe('reading a bench run', () => {
  it('reads each figure of a printed table by name, with its median and unit, and a figure not measured as NaN', () => {
    const figures = figuresFromTable(printed);
    expect([...figures.keys()]).toEqual([
      'initial sync, 500 orders: Pourover',
      'initial sync, 500 orders: RxDB bulkInsert (floor)',
      'pushes from 50 devices',
      'server RSS, no open streams',
      'Chromium: migrate 500 orders',
    ]);
    expect(figures.get('initial sync, 500 orders: Pourover')).toEqual({
      value: 480.12,
      unit: 'ms',
      ratio: { to: 'initial sync, 500 orders: RxDB bulkInsert (floor)', value: 2.1 },
    });
    expect(figures.get('initial sync, 500 orders: RxDB bulkInsert (floor)')).toEqual({ value: 228.6, unit: 'ms' });
    expect(figures.get('pushes from 50 devices')).toEqual({ value: 1234, unit: 'pushes/s' });
    expect(figures.get('Chromium: migrate 500 orders')?.value).toBeNaN();
  });

  it("reads back what today's table prints, whatever order its columns come in", () => {
    const figures = figuresOf([
      { name: 'push, 500 changes: Pourover', unit: 'ms', values: [812.345, 790.1], baseline: 'push → stream p50: SQLite' },
      { name: 'pushes from 50 devices: server CPU (100% = one core)', unit: '%', values: [97.5] },
      { name: 'push → stream p50: SQLite', unit: 'ms', values: [3.25] },
    ]);
    const read = figuresFromTable(table(figures));
    expect([...read].map(([name, f]) => [name, f.value, f.unit, f.ratio?.value ?? null])).toEqual(
      figures.map((f) => [f.name, f.value, f.unit, f.ratio]),
    );
    expect(read.get('push, 500 changes: Pourover')?.ratio).toEqual({ to: 'push → stream p50: SQLite', value: figures[0]?.ratio });
    // The same table with its median column moved last still reads by the header's names.
    const moved = table(figures)
      .split('\n')
      .map((line) => {
        const cells = line.slice(1, -1).split('|');
        return `|${[cells[0], ...cells.slice(2), cells[1]].join('|')}|`;
      })
      .join('\n');
    expect(figuresFromTable(moved)).toEqual(read);
  });

  it('reads bench-results.json, where a figure not measured was written as null', () => {
    const figures = figuresFromJson(
      JSON.stringify([
        { name: 'a', value: null, unit: 'ms', min: null, max: null, baseline: null, ratio: null },
        { name: 'b', value: 12, unit: 'ms', min: 11, max: 13, baseline: 'c', ratio: 1.5 },
      ]),
    );
    expect(figures.get('a')?.value).toBeNaN();
    expect(figures.get('b')).toEqual({ value: 12, unit: 'ms', ratio: { to: 'c', value: 1.5 } });
    expect(() => figuresFromJson('[{"name":"a","value":"fast"}]')).toThrow();
  });
});

describe('comparing the rounds', () => {
  it('tells the better direction from the unit', () => {
    expect(['pushes/s', '/s', 'moves/s', 'ms', 's', 'MiB', 'KiB', '%', 'pushes'].map(directionOf)).toEqual([
      'higher',
      'higher',
      'higher',
      'lower',
      'lower',
      'lower',
      'lower',
      'lower',
      'either',
    ]);
  });

  it("takes each side's best round and judges new ÷ old by the direction", () => {
    const old = [
      run([
        ['sync', 100, 'ms'],
        ['rate', 1000, 'pushes/s'],
        ['memory', 80, 'MiB'],
      ]),
      run([
        ['sync', 90, 'ms'],
        ['rate', 1100, 'pushes/s'],
        ['memory', 82, 'MiB'],
      ]),
    ];
    const now = [
      run([
        ['sync', 120, 'ms'],
        ['rate', 980, 'pushes/s'],
        ['memory', 70, 'MiB'],
      ]),
      run([
        ['sync', 99, 'ms'],
        ['rate', 960, 'pushes/s'],
        ['memory', 71, 'MiB'],
      ]),
    ];
    const { figures } = compare(old, now);
    expect(figures.map((f) => [f.name, f.old, f.new, f.within])).toEqual([
      ['sync', 90, 99, true], // 1.10× slower: just within
      ['rate', 1100, 980, false], // 0.89× the rate: more than 10% worse
      ['memory', 80, 70, true], // better
    ]);
    expect(figures[0]?.ratio).toBeCloseTo(1.1);
  });

  it("gives each side's median ratio to the baseline measured beside it, where both sides had the same baseline", () => {
    const round = (sync: number, floor: number, rate: number, rateBaseline: string): RunFigures =>
      new Map([
        ['sync: Pourover', { value: sync, unit: 'ms', ratio: { to: 'sync: floor', value: sync / floor } }],
        ['sync: floor', { value: floor, unit: 'ms' }],
        ['pushes', { value: rate, unit: 'pushes/s', ratio: { to: rateBaseline, value: 1 } }],
      ]);
    // The old side's second round ran on a quiet machine: its best is far ahead, but against its floor it is not.
    const { figures } = compare(
      [round(400, 100, 10, 'pushes, logging off'), round(200, 50, 10, 'pushes, logging off'), round(440, 110, 10, 'pushes, logging off')],
      [round(410, 100, 10, 'pushes, no metrics'), round(420, 105, 10, 'pushes, no metrics')],
    );
    expect(figures[0]).toMatchObject({ old: 200, new: 410, within: false, againstBaseline: { to: 'sync: floor', old: 4, new: 4.05 } });
    expect(figures[1]?.againstBaseline).toBeNull();
    expect(figures[2]?.againstBaseline).toBeNull();
    expect(comparisonTable(figures).split('\n')[2]).toMatch(/\| 4\.00× → 4\.05× floor +\|$/);
  });

  it('says which figures the old code lacks, and which neither side measured, rather than comparing them', () => {
    const comparison = compare(
      [
        run([
          ['both', 10, 'ms'],
          ['gone', 1, 'ms'],
          ['unmeasured', NaN, ''],
        ]),
      ],
      [
        run([
          ['both', 10, 'ms'],
          ['added', 5, 'ms'],
          ['unmeasured', NaN, 'ms'],
        ]),
      ],
    );
    expect(comparison.figures.map((f) => f.name)).toEqual(['both']);
    expect(comparison).toMatchObject({ onlyNew: ['added'], onlyOld: ['gone'], unmeasured: ['unmeasured'] });
  });

  it('counts a count that stayed 0 as unchanged, and one that left 0 as outside', () => {
    const { figures } = compare(
      [
        run([
          ['refused', 0, 'pushes'],
          ['errors', 0, 'pushes'],
        ]),
      ],
      [
        run([
          ['refused', 0, 'pushes'],
          ['errors', 3, 'pushes'],
        ]),
      ],
    );
    expect(figures.map((f) => [f.ratio, f.within])).toEqual([
      [1, true],
      [null, false],
    ]);
    expect(comparisonTable(figures)).toContain('| errors  | 0 pushes   | 3 pushes   | —       | no (neither side better)  |');
  });
});
