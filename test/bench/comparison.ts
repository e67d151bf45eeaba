/**
 * The figures of two benches side by side (`npm run bench:compare`): reading each
 * run's figures, from its bench-results.json or from the table it printed, and
 * the best of several rounds per side, with the new ÷ old ratio judged by the
 * figure's unit.
 */
import { z } from 'zod';

/**
 * One run's figures by name: the median it reported and its unit (NaN when the run did not measure it), and its ratio
 * to the baseline the bench measured beside it in the same run, where it has one.
 */
export type RunFigures = Map<string, { value: number; unit: string; ratio?: { to: string; value: number } }>;

/** Whether a bigger figure is better (rates), smaller (times, memory, CPU), or neither can be said from the unit. */
export type Direction = 'higher' | 'lower' | 'either';

/** Rates are `…/s`; times, sizes and CPU shares are smaller when better; any other unit (a count) is judged both ways. */
export function directionOf(unit: string): Direction {
  if (unit.endsWith('/s')) return 'higher';
  if (['ms', 's', 'µs', 'B', 'KiB', 'MiB', 'GiB', '%'].includes(unit)) return 'lower';
  return 'either';
}

const jsonFigures = z.array(
  z.object({
    name: z.string(),
    value: z.number().nullable(),
    unit: z.string(),
    baseline: z.string().nullable().optional(),
    ratio: z.number().nullable().optional(),
  }),
);

/** Figures from a bench's bench-results.json (NaN was written as null). */
export function figuresFromJson(text: string): RunFigures {
  return new Map(
    jsonFigures.parse(JSON.parse(text)).map((f) => [
      f.name,
      {
        value: f.value ?? NaN,
        unit: f.unit,
        ...(f.baseline && typeof f.ratio === 'number' ? { ratio: { to: f.baseline, value: f.ratio } } : {}),
      },
    ]),
  );
}

/**
 * Figures from the table a bench printed (`| figure | median | range | … |`),
 * found by its header's column names rather than by position, so a table with
 * columns added or moved still reads. Rows whose cells do not fit the header,
 * or whose median is not a number and a unit, are left out.
 */
export function figuresFromTable(printed: string): RunFigures {
  const figures: RunFigures = new Map();
  let columns: { name: number; median: number; baseline: number; ratio: number; width: number } | undefined;
  for (const line of printed.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('|') || !line.endsWith('|')) {
      columns = undefined;
      continue;
    }
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    if (cells[0] === 'figure' && cells.includes('median')) {
      const at = (column: string) => cells.indexOf(column);
      columns = { name: 0, median: at('median'), baseline: at('baseline'), ratio: at('ratio'), width: cells.length };
      continue;
    }
    if (!columns || cells.length !== columns.width || cells.every((cell) => /^-*$/.test(cell))) continue;
    const name = cells[columns.name] ?? '';
    const median = cells[columns.median] ?? '';
    if (median === 'not measured') {
      figures.set(name, { value: NaN, unit: '' });
      continue;
    }
    const match = /^(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|-?Infinity)\s+(\S.*)$/i.exec(median);
    const ratio = /^(\d+(?:\.\d*)?)×$/.exec(cells[columns.ratio] ?? '')?.[1];
    const to = cells[columns.baseline];
    if (name && match?.[1] && match[2])
      figures.set(name, { value: Number(match[1]), unit: match[2], ...(ratio && to ? { ratio: { to, value: Number(ratio) } } : {}) });
  }
  return figures;
}

/** The best of the rounds' values by direction (the most favourable a side managed); NaN if none was measured. */
export function bestOf(values: readonly number[], direction: Direction): number {
  const measured = values.filter((v) => !Number.isNaN(v));
  if (!measured.length) return NaN;
  if (direction === 'higher') return Math.max(...measured);
  if (direction === 'lower') return Math.min(...measured);
  // No better side: the median of the rounds.
  return median(measured);
}

/** new ÷ old; 1 when both are 0, and null when old is 0 and new is not. */
export function ratioOf(oldValue: number, newValue: number): number | null {
  if (oldValue === 0) return newValue === 0 ? 1 : null;
  return newValue / oldValue;
}

/** Whether new is no more than 10% worse than old in the unit's direction (within 10% either way when neither is better). */
export function withinTenPercent(ratio: number | null, direction: Direction): boolean {
  if (ratio === null) return false;
  if (direction === 'higher') return ratio >= 0.9;
  if (direction === 'lower') return ratio <= 1.1;
  return ratio >= 0.9 && ratio <= 1.1;
}

export type ComparedFigure = {
  name: string;
  unit: string;
  direction: Direction;
  old: number;
  new: number;
  ratio: number | null;
  within: boolean;
  /**
   * The figure ÷ the baseline the bench measured beside it in the same run (the same baseline on both sides), the
   * median of the rounds on each side: a machine's drift slows both alike, so it cancels here where the best rounds
   * can differ by it.
   */
  againstBaseline: { to: string; old: number; new: number } | null;
};

export type Comparison = {
  figures: ComparedFigure[];
  /** Figures only today's bench reports (the old code lacks them), and figures only the old one reports. */
  onlyNew: string[];
  onlyOld: string[];
  /** Figures both report but neither measured in any round. */
  unmeasured: string[];
};

/** Figures of the old and new rounds side by side, in the new bench's order; the unit and its direction come from the new bench. */
export function compare(oldRounds: readonly RunFigures[], newRounds: readonly RunFigures[]): Comparison {
  const names = (rounds: readonly RunFigures[]) => [...new Set(rounds.flatMap((round) => [...round.keys()]))];
  const oldNames = new Set(names(oldRounds));
  const newNames = names(newRounds);
  const comparison: Comparison = { figures: [], onlyNew: [], onlyOld: [], unmeasured: [] };
  for (const name of newNames) {
    if (!oldNames.has(name)) {
      comparison.onlyNew.push(name);
      continue;
    }
    const unit = newRounds.map((round) => round.get(name)?.unit).find((u) => u) ?? '';
    const direction = directionOf(unit);
    const valuesOf = (rounds: readonly RunFigures[]) => rounds.map((round) => round.get(name)?.value ?? NaN);
    const old = bestOf(valuesOf(oldRounds), direction);
    const now = bestOf(valuesOf(newRounds), direction);
    if (Number.isNaN(old) || Number.isNaN(now)) {
      comparison.unmeasured.push(name);
      continue;
    }
    const ratio = ratioOf(old, now);
    const againstBaseline = baselineRatios(name, oldRounds, newRounds);
    comparison.figures.push({ name, unit, direction, old, new: now, ratio, within: withinTenPercent(ratio, direction), againstBaseline });
  }
  comparison.onlyOld = [...oldNames].filter((name) => !newNames.includes(name));
  return comparison;
}

/** Each side's median ratio of `name` to its same-run baseline, if both sides measured one against the same baseline. */
function baselineRatios(
  name: string,
  oldRounds: readonly RunFigures[],
  newRounds: readonly RunFigures[],
): ComparedFigure['againstBaseline'] {
  const ratios = (rounds: readonly RunFigures[]) => rounds.flatMap((round) => round.get(name)?.ratio ?? []);
  const [old, now] = [ratios(oldRounds), ratios(newRounds)];
  const to = now[0]?.to;
  if (!to || !old.length || ![...old, ...now].every((ratio) => ratio.to === to)) return null;
  return { to, old: median(old.map((r) => r.value)), new: median(now.map((r) => r.value)) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

const shown = (n: number) => String(Math.round(n * 100) / 100);

/** The baseline's name without what it shares with the figure's (`initial sync, 500 orders: `). */
function shortBaseline(f: ComparedFigure): string {
  const to = f.againstBaseline?.to ?? '';
  const [head] = f.name.split(': ');
  return head && to.startsWith(`${head}: `) ? to.slice(head.length + 2) : to;
}

/** The comparison as one Markdown table: figure, old (best), new (best), new/old, within 10%, and ÷ the same-run baseline. */
export function comparisonTable(figures: readonly ComparedFigure[]): string {
  const better = { higher: 'higher is better', lower: 'lower is better', either: 'neither side better' };
  const rows = figures.map((f) => [
    f.name,
    `${shown(f.old)} ${f.unit}`,
    `${shown(f.new)} ${f.unit}`,
    f.ratio === null ? '—' : `${f.ratio.toFixed(2)}×`,
    `${f.within ? 'yes' : 'no'} (${better[f.direction]})`,
    f.againstBaseline ? `${f.againstBaseline.old.toFixed(2)}× → ${f.againstBaseline.new.toFixed(2)}× ${shortBaseline(f)}` : '',
  ]);
  const head = ['figure', 'old (best)', 'new (best)', 'new/old', 'within 10%', '÷ same-run baseline, old → new (median of rounds)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
