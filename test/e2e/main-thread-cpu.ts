/** What this reads of a Chromium trace event. */
export type TraceEvent = {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
};

export type MainThreadCpu = {
  /** CPU time of the page's main-thread tasks after its first contentful paint, in ms. */
  cpuMs: number;
  /** The same tasks' wall time: on a busy machine, much more than their CPU time. */
  wallMs: number;
  /** Lighthouse's blocking sum (each task four times over, less 50 ms) taken over CPU time instead of wall time. */
  blockingMs: number;
  /** The CPU time of the longest task, in ms. */
  longestTaskMs: number;
};

/**
 * How much the page's main thread worked after its first contentful paint,
 * by thread CPU time. Lighthouse's simulated blocking time scales each
 * task's wall time, and on a machine whose cores other processes share a
 * task's wall time is often twice its CPU time, so the performance score
 * says as much about the machine as about the page; this says what the page
 * asked of the CPU, and is recorded beside the scores (never asserted:
 * timings are measured, not tested).
 */
export function mainThreadCpu(events: readonly TraceEvent[]): MainThreadCpu | undefined {
  const paint = events.filter((event) => event.name === 'firstContentfulPaint').at(-1);
  if (!paint) return undefined;
  const main = events.find((event) => event.name === 'thread_name' && event.pid === paint.pid && event.args?.name === 'CrRendererMain');
  if (!main) return undefined;
  const tasks = events.filter(
    (event) => event.pid === main.pid && event.tid === main.tid && event.ph === 'X' && event.name === 'RunTask' && event.ts >= paint.ts,
  );
  const cpu = tasks.map((task) => (task.tdur ?? task.dur ?? 0) / 1000);
  const sum = (values: number[]) => Math.round(values.reduce((total, value) => total + value, 0));
  return {
    cpuMs: sum(cpu),
    wallMs: sum(tasks.map((task) => (task.dur ?? 0) / 1000)),
    blockingMs: sum(cpu.map((ms) => Math.max(0, 4 * ms - 50))),
    longestTaskMs: Math.round(Math.max(0, ...cpu)),
  };
}
