/** One reported figure: the median of several runs, with their range, and its ratio to a baseline measured in the same run. */
export type Figure = {
  name: string;
  /** NaN (null in bench-results.json) when not measured; `durability` then says why. */
  value: number;
  unit: string;
  min: number;
  max: number;
  /** The figure this one is compared with, or null. */
  baseline: string | null;
  /** value ÷ the baseline's value (for times: above 1 is slower than the baseline). */
  ratio: number | null;
  /** How durable each side's writes are and other settings, where they matter. */
  durability?: string;
};

export type Samples = { name: string; unit: string; values: number[]; durability?: string };

/** The middle value; NaN for no values (a figure not measured). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** The p50 and p99 of `values` as two figures, compared with `baseline`'s p50 and p99 if given. */
export function percentiles(name: string, values: number[], baseline?: string): (Samples & { baseline?: string })[] {
  return [50, 99].map((p) => ({
    name: `${name} p${p}`,
    unit: 'ms',
    values: [percentile(values, p)],
    ...(baseline ? { baseline: `${baseline} p${p}` } : {}),
  }));
}

/** Figures from samples; each names the samples it is compared with. */
export function figuresOf(samples: readonly (Samples & { baseline?: string })[]): Figure[] {
  const medians = new Map(samples.map((s) => [s.name, median(s.values)]));
  return samples.map((s) => {
    const value = median(s.values);
    const base = s.baseline ? medians.get(s.baseline) : undefined;
    return {
      name: s.name,
      value: round(value),
      unit: s.unit,
      min: round(s.values.length ? Math.min(...s.values) : NaN),
      max: round(s.values.length ? Math.max(...s.values) : NaN),
      baseline: s.baseline ?? null,
      ratio: base && !Number.isNaN(value) ? round(value / base) : null,
      ...(s.durability ? { durability: s.durability } : {}),
    };
  });
}

const round = (n: number) => Math.round(n * 100) / 100;

export function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) =>
    Number.isNaN(f.value)
      ? [f.name, 'not measured', '', f.baseline ?? '', '', f.durability ?? '']
      : [f.name, `${f.value} ${f.unit}`, `${f.min}–${f.max}`, f.baseline ?? '', f.ratio === null ? '' : `${f.ratio}×`, f.durability ?? ''],
  );
  const head = ['figure', 'median', 'range', 'baseline', 'ratio', 'durability, settings'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
