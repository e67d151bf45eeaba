#!/usr/bin/env -S npx tsx
import { listenForMetrics, OrderProcessor, processorLogger, SimulatedGateway, type ProcessorStats } from '../src/index.ts';
import { parseCli, usage } from '../src/cli-options.ts';

let args;
try {
  args = parseCli(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`pourover-processor: ${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(usage);
  process.exit(0);
}

const tty = process.stdout.isTTY === true;
const statusLine = (stats: ProcessorStats) =>
  `processed ${stats.processed} · pending ${stats.pending} · rejected ${stats.rejected}${stats.cancelled ? ` · cancelled ${stats.cancelled}` : ''}${stats.refunded ? ` · refunded ${stats.refunded}` : ''}${stats.failures ? ` · retries ${stats.failures}` : ''}${stats.holdsLease ? '' : ' · waiting for the lease'}`;

/** On a terminal, a line per order in words under a status line; otherwise the JSON lines as they are. */
const output = {
  write(line: string) {
    if (!tty) return void process.stdout.write(line);
    const entry = JSON.parse(line) as Record<string, unknown>;
    const text = entry['order']
      ? `${String(entry['order'])}  ${String(entry['shopper'])}  ${String(entry['outcome'] ?? `refund ${String(entry['refund'])}`)}${entry['reason'] ? ` (${String(entry['reason'])})` : ''}${entry['ms'] !== undefined ? `  ${String(entry['ms'])} ms` : ''}${entry['error'] ? `  ${String(entry['error'])}` : ''}`
      : String(entry['message']);
    process.stdout.write(`\r\x1b[2K${text}\n${statusLine(processor.stats)}`);
  },
};
const logger = processorLogger({ level: args['log-level'], destination: output });

const gateway = new SimulatedGateway(args.ledger);
const processor = new OrderProcessor({
  server: args.server,
  token: args.token,
  journal: args.journal,
  gateway,
  concurrency: args.concurrency,
  leaseTtlMs: args['lease-ttl-ms'],
  logger,
  processMetrics: true,
});
const metrics = args['metrics-port'] === undefined ? undefined : await listenForMetrics(processor.metrics, args['metrics-port']);
if (metrics) logger.info({ url: metrics.url }, `metrics at ${metrics.url}`);
if (tty) processor.onStats((stats) => process.stdout.write(`\r\x1b[2K${statusLine(stats)}`));

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await processor.close();
  await metrics?.close();
  gateway.close();
  if (tty) process.stdout.write('\n');
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

if (args.once) {
  await processor.runOnce();
  await stop(0);
} else {
  await processor.start();
}
