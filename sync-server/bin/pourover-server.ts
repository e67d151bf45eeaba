#!/usr/bin/env -S npx tsx --max-semi-space-size=64
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startServer } from '../src/index.ts';
import { postgresUrl } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { redactedPostgresUrl } from '../src/store/postgres-targets.ts';

const usage = `Usage: pourover-server [options]
       pourover-server migrate --store URL

Starts the Pourover sync server: on an embedded SQLite store under --data,
or on PostgreSQL with --store, so that several servers can share one database.
\`migrate\` brings a PostgreSQL database's schema up to date and exits (the
server also does this when it starts).

Options:
  --port N      port to listen on (default 4000; 0 picks a free one)
  --host H      address to listen on (default 127.0.0.1)
  --data DIR    folder of the server key, and without --store of the identities and
                SQLite file (default ./data)
  --store URL   keep documents and identities in PostgreSQL (postgres://…; default: env POUROVER_STORE);
                several hosts (postgres://u@primary:5432,standby:5432/db) are tried in turn
                for the writable one, so a node follows a failover without restarting
  --key-file F  the server's signing key, created if missing (default DIR/server-key.pem or
                env POUROVER_KEY_FILE); every node on one database must use the same key
  --pool N      PostgreSQL connections per server (default 10)
  --seed        seed the demo catalog, slots and shopper; enable dev sign-in
  --static DIR  serve the built shop PWA from DIR at /
  --help        show this help
`;

const options = z
  .object({
    command: z.enum(['serve', 'migrate']),
    port: z.coerce.number().int().min(0).max(65_535).default(4000),
    host: z.string().min(1).default('127.0.0.1'),
    data: z.string().min(1).default('./data'),
    store: postgresUrl.optional(),
    'key-file': z.string().min(1).optional(),
    pool: z.coerce.number().int().min(1).max(1_000).optional(),
    seed: z.boolean().default(false),
    static: z.string().min(1).optional(),
    help: z.boolean().default(false),
  })
  .strict()
  .refine((args) => args.command !== 'migrate' || args.store !== undefined, {
    message: 'migrate needs --store postgres://… (the SQLite store migrates itself when it opens)',
  });

function parse() {
  try {
    const { values, positionals } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        store: { type: 'string' },
        'key-file': { type: 'string' },
        pool: { type: 'string' },
        seed: { type: 'boolean' },
        static: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new Error(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
    const store = values.store ?? (process.env['POUROVER_STORE'] || undefined);
    const keyFile = values['key-file'] ?? (process.env['POUROVER_KEY_FILE'] || undefined);
    const result = options.safeParse({ ...values, command: positionals[0] ?? 'serve', ...(store ? { store } : {}), ...(keyFile ? { 'key-file': keyFile } : {}) });
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

if (args.command === 'migrate' && args.store !== undefined) {
  const { from, to } = await PostgresStore.migrate(args.store);
  process.stdout.write(from === to ? `Schema already at version ${to}\n` : `Migrated the schema from version ${from} to ${to}\n`);
  process.exit(0);
}

const server = await startServer({
  port: args.port,
  host: args.host,
  dataDir: args.data,
  store: args.store,
  keyFile: args['key-file'],
  poolSize: args.pool,
  seed: args.seed,
  ...(args.static ? { staticDir: args.static } : {}),
  log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
});
const where = args.store === undefined ? `data: ${args.data}` : `data: ${args.data}, database: ${redactedPostgresUrl(args.store)}`;
process.stdout.write(`Pourover sync server listening on ${server.url} (store: ${server.store.kind}, ${where})\n`);

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
