#!/usr/bin/env -S npx tsx
import { OrderProcessor, SimulatedGateway, type ProcessorStats } from '../src/index.ts';
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
  `processed ${stats.processed} · pending ${stats.pending} · rejected ${stats.rejected}${stats.failures ? ` · retries ${stats.failures}` : ''}${stats.holdsLease ? '' : ' · waiting for the lease'}`;

const gateway = new SimulatedGateway(args.ledger);
const processor = new OrderProcessor({
  server: args.server,
  token: args.token,
  journal: args.journal,
  gateway,
  concurrency: args.concurrency,
  leaseTtlMs: args['lease-ttl-ms'],
  log: (line) => {
    if (!tty) return void process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...line })}\n`);
    const text = line['order']
      ? `${String(line['order'])}  ${String(line['shopper'])}  ${String(line['outcome'])}${line['reason'] ? ` (${String(line['reason'])})` : ''}${line['ms'] !== undefined ? `  ${String(line['ms'])} ms` : ''}${line['error'] ? `  ${String(line['error'])}` : ''}`
      : String(line['message']);
    process.stdout.write(`\r\x1b[2K${text}\n${statusLine(processor.stats)}`);
  },
});
if (tty) processor.onStats((stats) => process.stdout.write(`\r\x1b[2K${statusLine(stats)}`));

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await processor.close();
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
