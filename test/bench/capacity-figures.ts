import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServerProcess } from '../support/server-process.ts';
import { benchContext, type BenchContext } from './context.ts';
import { loopbackAddress, openRawStreams, pusher, type RawStream } from './light-clients.ts';
import { makeOrders } from './orders.ts';
import { median, percentiles, type Samples } from './stats.ts';

type Step = (s: string) => void;
type Figures = (Samples & { baseline?: string })[];

/** The resident memory of a process, in KiB (VmRSS), as the kernel counts it. */
function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU time a process has used so far (user and system), in seconds. */
export function cpuSeconds(pid: number): number {
  // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Five readings a fifth of a second apart, once the server has had a second to settle. */
async function settledRss(pid: number): Promise<number[]> {
  await sleep(1_000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(rssKiB(pid));
    await sleep(200);
  }
  return readings;
}

const IDLE = 'server RSS, no open streams';

/** RSS of the server with `levels` open live streams, one device (and shopper) each. */
export async function streamMemory(ctx: BenchContext, pid: number, options: { levels: number[]; step: Step }): Promise<Figures> {
  // Each device from an address of its own, as real devices come: one address may hold only so many streams.
  const tokens = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({ token: ctx.shopper(10_000 + from + i).token, from: loopbackAddress(from + i) }));
  // A warm-up, so that code and buffers every stream needs count in the idle figure, not in the first streams'.
  options.step('capacity: warming up streams');
  for (const stream of await openRawStreams(ctx.server.url, tokens(0, 100))) stream.close();
  const idle = await settledRss(pid);
  const figures: Figures = [{ name: IDLE, unit: 'MiB', values: idle.map((kib) => kib / 1024) }];
  const open: RawStream[] = [];
  for (const level of options.levels) {
    options.step(`capacity: opening ${level} live streams`);
    open.push(...(await openRawStreams(ctx.server.url, tokens(100 + open.length, 100 + level))));
    const rss = await settledRss(pid);
    figures.push(
      {
        name: `server RSS, ${level} open live streams${level >= 10_000 ? ' (target ≤ 1024 MiB)' : ''}`,
        unit: 'MiB',
        values: rss.map((kib) => kib / 1024),
        baseline: IDLE,
      },
      { name: `server RSS per open live stream, ${level} streams`, unit: 'KiB', values: rss.map((kib) => (kib - median(idle)) / level) },
    );
  }
  for (const stream of open) stream.close();
  return figures;
}

/**
 * Pushes per second from `devices` devices, each with its live stream open
 * and one push in flight at a time, for `seconds`; each push a new draft.
 */
export async function pushRate(
  ctx: BenchContext,
  pid: number,
  options: { devices: number; seconds: number; runs: number; step: Step },
): Promise<Figures> {
  const devices = Array.from({ length: options.devices }, (_, i) => ({
    token: ctx.shopper(30_000 + i).token,
    from: loopbackAddress(i, 2),
  }));
  const streams = await openRawStreams(ctx.server.url, devices);
  const pushers = devices.map((device) => pusher(ctx.server.url, device));
  const [draft] = makeOrders(1, ctx.catalog, 'draft', 7);
  const body = () =>
    JSON.stringify({
      collection: 'draftOrders',
      rows: [{ assumedMasterState: null, newDocumentState: { ...draft, id: randomUUID(), _deleted: false } }],
    });
  const rates: number[] = [];
  const busy: number[] = [];
  const latencies: number[] = [];
  let refused = 0;
  for (let run = 0; run <= options.runs; run += 1) {
    options.step(
      `capacity: ${options.devices} devices pushing for ${options.seconds} s, run ${run}/${options.runs}${run === 0 ? ' (warm-up)' : ''}`,
    );
    const started = performance.now();
    const cpuBefore = cpuSeconds(pid);
    const deadline = started + options.seconds * 1000;
    let answered = 0;
    await Promise.all(
      pushers.map(async (device) => {
        while (performance.now() < deadline) {
          const sent = performance.now();
          const status = await device.push(body());
          if (run === 0) continue;
          if (status !== 200) refused += 1;
          answered += 1;
          latencies.push(performance.now() - sent);
        }
      }),
    );
    if (run === 0) continue;
    const seconds = (performance.now() - started) / 1000;
    rates.push(answered / seconds);
    busy.push(((cpuSeconds(pid) - cpuBefore) / seconds) * 100);
  }
  for (const device of pushers) device.close();
  for (const stream of streams) stream.close();
  const label = `pushes from ${options.devices} devices`;
  return [
    {
      name: label,
      unit: 'pushes/s',
      values: rates,
      durability: 'SQLite, fsync per commit; metrics on, log at info (to a pipe the bench reads)',
    },
    { name: `${label}: server CPU (100% = one core)`, unit: '%', values: busy },
    ...percentiles(`${label}: latency`, latencies),
    { name: `${label}: refused (not 200)`, unit: 'pushes', values: [refused] },
  ];
}

/**
 * What metrics and logging cost: the same pushes on a server process started
 * with `--no-metrics --log-level silent`, beside the default one's (metrics
 * on, a line per request at info) measured just before.
 */
async function pushRateUnobserved(options: { devices: number; seconds: number; runs: number; step: Step }): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-unobserved-'));
  const server = await startServerProcess(dir, undefined, ['--no-metrics', '--log-level', 'silent']);
  try {
    const pid = server.pid;
    if (pid === undefined) throw new Error('the server process has no pid');
    const [rate, cpu] = await pushRate(await benchContext(server), pid, options);
    const off = `pushes from ${options.devices} devices, metrics and logging off`;
    return [
      { name: off, unit: 'pushes/s', values: rate?.values ?? [], durability: 'SQLite, fsync per commit; --no-metrics --log-level silent' },
      { name: `${off}: server CPU (100% = one core)`, unit: '%', values: cpu?.values ?? [] },
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Server capacity on a server process of its own: memory per open live stream, and pushes per second. */
export async function capacityFigures(options: {
  streams: number[];
  devices: number;
  seconds: number;
  runs: number;
  step: Step;
}): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-capacity-'));
  const server = await startServerProcess(dir);
  let observed: Figures;
  try {
    const pid = server.pid;
    if (pid === undefined) throw new Error('the server process has no pid');
    const ctx = await benchContext(server);
    observed = [...(await streamMemory(ctx, pid, { levels: options.streams, step: options.step })), ...(await pushRate(ctx, pid, options))];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const unobserved = await pushRateUnobserved(options);
  // The ratio column of the pushes row is then its cost: pushes/s with metrics and logging on ÷ off.
  const baseline = unobserved[0]?.name;
  return [...observed.map((figure) => (figure.unit === 'pushes/s' && baseline ? { ...figure, baseline } : figure)), ...unobserved];
}
