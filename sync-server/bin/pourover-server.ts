#!/usr/bin/env -S npx tsx --max-semi-space-size=64
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { join } from 'node:path';
import { openIdentityStore } from '../src/auth/open-identity-store.ts';
import { createOwnerCode, OWNER_CODE_MS } from '../src/auth/owner-code.ts';
import { loadServerKey } from '../src/auth/server-key.ts';
import { startServer } from '../src/index.ts';
import { postgresUrl } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { redactedPostgresUrl } from '../src/store/postgres/postgres-targets.ts';
import { pouroverApp } from '../src/app/pourover-app.ts';

const usage = `Usage: pourover-server [options]
       pourover-server migrate --store URL
       pourover-server owner-code [--data DIR | --store URL]

Starts the Pourover sync server: on an embedded SQLite store under --data,
or on PostgreSQL with --store, so that several servers can share one database.
\`migrate\` brings a PostgreSQL database's schema up to date and exits (the
server also does this when it starts). \`owner-code\` prints a single-use code,
valid one hour, with which the store owner signs in at /owner.

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
  --trusted-proxies N  proxies in front that append the client's address to X-Forwarded-For
                (default 0: limits count the connection's address; see docs/limits.md)
  --help        show this help
`;

const options = z
  .object({
    command: z.enum(['serve', 'migrate', 'owner-code']),
    port: z.coerce.number().int().min(0).max(65_535).default(4000),
    host: z.string().min(1).default('127.0.0.1'),
    data: z.string().min(1).default('./data'),
    store: postgresUrl.optional(),
    'key-file': z.string().min(1).optional(),
    pool: z.coerce.number().int().min(1).max(1_000).optional(),
    seed: z.boolean().default(false),
    static: z.string().min(1).optional(),
    'trusted-proxies': z.coerce.number().int().min(0).max(10).default(0),
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
        'trusted-proxies': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new Error(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
    const store = values.store ?? (process.env['POUROVER_STORE'] || undefined);
    const keyFile = values['key-file'] ?? (process.env['POUROVER_KEY_FILE'] || undefined);
    const result = options.safeParse({
      ...values,
      command: positionals[0] ?? 'serve',
      ...(store ? { store } : {}),
      ...(keyFile ? { 'key-file': keyFile } : {}),
    });
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

if (args.command === 'owner-code') {
  const key = loadServerKey(args['key-file'] ?? join(args.data, 'server-key.pem'));
  const identity = await openIdentityStore({
    dataDir: args.data,
    store: args.store,
    key,
    onError: (error) => process.stderr.write(`${String(error)}\n`),
  });
  const code = await createOwnerCode(identity, new Date());
  await identity.close();
  process.stdout.write(`${ownerCodeLine(code)}\n`);
  process.exit(0);
}

const server = await startServer({
  app: pouroverApp,
  port: args.port,
  host: args.host,
  dataDir: args.data,
  store: args.store,
  keyFile: args['key-file'],
  poolSize: args.pool,
  seed: args.seed,
  ...(args.static ? { staticDir: args.static } : {}),
  limits: { trustedProxies: args['trusted-proxies'] },
  log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
});
const where = args.store === undefined ? `data: ${args.data}` : `data: ${args.data}, database: ${redactedPostgresUrl(args.store)}`;
if (server.ownerCode) process.stdout.write(`${ownerCodeLine(server.ownerCode)}\n`);
process.stdout.write(`Pourover sync server listening on ${server.url} (store: ${server.store.kind}, ${where})\n`);

/** How the console shows a store owner's sign-in code. */
function ownerCodeLine(code: string): string {
  return `Store owner sign-in code: ${code} (single use, valid ${OWNER_CODE_MS / 60_000} minutes, at /owner; \`pourover-server owner-code\` makes another)`;
}

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
