#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startServer } from '../src/index.ts';

const usage = `Usage: pourover-server [options]

Starts the Pourover sync server on an embedded SQLite store.

Options:
  --port N      port to listen on (default 4000; 0 picks a free one)
  --host H      address to listen on (default 127.0.0.1)
  --data DIR    folder of the SQLite file and server key (default ./data)
  --seed        seed the demo catalog, slots and shopper; enable dev sign-in
  --static DIR  serve the built shop PWA from DIR at /
  --help        show this help
`;

const options = z
  .object({
    port: z.coerce.number().int().min(0).max(65_535).default(4000),
    host: z.string().min(1).default('127.0.0.1'),
    data: z.string().min(1).default('./data'),
    seed: z.boolean().default(false),
    static: z.string().min(1).optional(),
    help: z.boolean().default(false),
  })
  .strict();

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        seed: { type: 'boolean' },
        static: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    const result = options.safeParse(values);
    if (result.success) return result.data;
    throw new Error(z.prettifyError(result.error));
  } catch (error) {
    process.stderr.write(`pourover-server: ${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

const args = parse();
if (args.help) {
  process.stdout.write(usage);
  process.exit(0);
}

const server = await startServer({
  port: args.port,
  host: args.host,
  dataDir: args.data,
  seed: args.seed,
  ...(args.static ? { staticDir: args.static } : {}),
  log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
});
process.stdout.write(`Pourover sync server listening on ${server.url} (store: ${server.store.kind}, data: ${args.data})\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping…\n');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`pourover-server: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
