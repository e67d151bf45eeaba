#!/usr/bin/env -S npx tsx --max-semi-space-size=64
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { join } from 'node:path';
import { openIdentityStore } from '../src/auth/open-identity-store.ts';
import { createOwnerCode, OWNER_CODE_MS } from '../src/auth/owner-code.ts';
import { loadServerKey } from '../src/auth/server-key.ts';
import { PROTOCOL_VERSION } from '@pourover/protocol';
import { logLevel, serverLogger, startServer } from '../src/index.ts';
import { OLDEST_SERVED_PROTOCOL } from '../src/http/client-version.ts';
import { postgresUrl } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { redactedPostgresUrl } from '../src/store/postgres/postgres-targets.ts';
import { pouroverApp } from '../src/app/pourover-app.ts';
import { backupDataDir, restoreDataDir } from '../src/store/sqlite/sqlite-backup.ts';

const usage = `Usage: pourover-server [options]
       pourover-server migrate --store URL
       pourover-server owner-code [--data DIR | --store URL]
       pourover-server backup --to DIR [--data DIR]
       pourover-server restore --from DIR [--data DIR]
       pourover-server new-epoch --store URL

Starts the Pourover sync server: on an embedded SQLite store under --data,
or on PostgreSQL with --store, so that several servers can share one database.
\`migrate\` brings a PostgreSQL database's schema up to date and exits (the
server also does this when it starts). \`owner-code\` prints a single-use code,
valid one hour, with which the store owner signs in at /owner.
\`backup\` copies the embedded store's files into a new folder while the server
runs; \`restore\` puts them back once the server is stopped (the files it
replaces are kept aside) and gives the data a new epoch, so devices pull again
and push what the backup lacks. On PostgreSQL, back up with pg_dump and run
\`new-epoch\` after pg_restore (docs/deploy.md).

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
  --oldest-protocol N  the oldest protocol a device may speak and be served (default ${OLDEST_SERVED_PROTOCOL});
                older ones are told to update (UPDATE_NEEDED), and keep their unsent changes
  --log-level L one of trace, debug, info, warn, error, fatal, silent (default info or
                env POUROVER_LOG_LEVEL); info logs a line per request, debug adds lease
                renewals, health probes and scrapes
  --drain-timeout S  on SIGTERM or SIGINT, how long the node drains before it stops (default 10 seconds):
                it stops listening, answers new requests UNAVAILABLE with Retry-After, lets the
                requests in flight finish, ends live streams so devices reconnect, closes the
                database and exits 0; past S it cuts what is left and logs it. A second signal
                stops it at once
  --metrics-token T  a bearer token that lets callers off this machine read /metrics
                (default env POUROVER_METRICS_TOKEN; prefer the variable: arguments show in ps)
  --no-metrics  count nothing and serve no /metrics
  --help        show this help
`;

const options = z
  .object({
    command: z.enum(['serve', 'migrate', 'owner-code', 'backup', 'restore', 'new-epoch']),
    to: z.string().min(1).optional(),
    from: z.string().min(1).optional(),
    port: z.coerce.number().int().min(0).max(65_535).default(4000),
    host: z.string().min(1).default('127.0.0.1'),
    data: z.string().min(1).default('./data'),
    store: postgresUrl.optional(),
    'key-file': z.string().min(1).optional(),
    pool: z.coerce.number().int().min(1).max(1_000).optional(),
    seed: z.boolean().default(false),
    static: z.string().min(1).optional(),
    'trusted-proxies': z.coerce.number().int().min(0).max(10).default(0),
    'oldest-protocol': z.coerce.number().int().min(1).max(PROTOCOL_VERSION).default(OLDEST_SERVED_PROTOCOL),
    'log-level': logLevel.default('info'),
    'drain-timeout': z.coerce.number().min(0).max(600).default(10),
    'metrics-token': z.string().min(16, 'a metrics token has at least 16 characters').max(512).optional(),
    'no-metrics': z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict()
  .refine((args) => args.command !== 'migrate' || args.store !== undefined, {
    message: 'migrate needs --store postgres://… (the SQLite store migrates itself when it opens)',
  })
  .refine((args) => args.command !== 'new-epoch' || args.store !== undefined, {
    message: 'new-epoch needs --store postgres://… (restore gives the embedded store its new epoch)',
  })
  .refine((args) => args.command !== 'backup' || (args.to !== undefined && args.store === undefined), {
    message: 'backup needs --to DIR, and backs up the embedded store only (on PostgreSQL use pg_dump: docs/deploy.md)',
  })
  .refine((args) => args.command !== 'restore' || (args.from !== undefined && args.store === undefined), {
    message: 'restore needs --from DIR, and restores the embedded store only (on PostgreSQL use pg_restore, then new-epoch)',
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
        'oldest-protocol': { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string' },
        'log-level': { type: 'string' },
        'drain-timeout': { type: 'string' },
        'metrics-token': { type: 'string' },
        'no-metrics': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new Error(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
    const store = values.store ?? (process.env['POUROVER_STORE'] || undefined);
    const keyFile = values['key-file'] ?? (process.env['POUROVER_KEY_FILE'] || undefined);
    const level = values['log-level'] ?? (process.env['POUROVER_LOG_LEVEL'] || undefined);
    const metricsToken = values['metrics-token'] ?? (process.env['POUROVER_METRICS_TOKEN'] || undefined);
    const result = options.safeParse({
      ...values,
      command: positionals[0] ?? 'serve',
      ...(store ? { store } : {}),
      ...(keyFile ? { 'key-file': keyFile } : {}),
      ...(level ? { 'log-level': level } : {}),
      ...(metricsToken ? { 'metrics-token': metricsToken } : {}),
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

if (args.command === 'new-epoch' && args.store !== undefined) {
  const epoch = await PostgresStore.renewEpoch(args.store);
  process.stdout.write(`The database's new epoch is ${epoch}: devices will pull again and push what it lacks\n`);
  process.exit(0);
}

if (args.command === 'backup' && args.to !== undefined) {
  await runOrExplain(async () => {
    // Nothing the backup writes, its temporary journals included, is readable by others.
    process.umask(0o077);
    const files = backupDataDir(args.data, args.to!, (line) => process.stdout.write(`  ${line}\n`));
    for (const { file, bytes } of files) process.stdout.write(`Backed up ${file} (${(bytes / 1_048_576).toFixed(1)} MiB)\n`);
    process.stdout.write(`Backup of ${args.data} in ${args.to}: restore it with \`pourover-server restore --from ${args.to}\`\n`);
  });
}

if (args.command === 'restore' && args.from !== undefined) {
  await runOrExplain(() => {
    const { epoch, keptAside } = restoreDataDir(args.data, args.from!, new Date());
    process.stdout.write(`Restored ${args.data} from ${args.from}; the files it replaced are in ${keptAside}\n`);
    process.stdout.write(`New epoch ${epoch}: devices will pull again and push what the backup lacks\n`);
  });
}

/** Runs a command to its end and exits: 0 when done, 1 with the reason in words when not. */
async function runOrExplain(command: () => unknown) {
  try {
    await command();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`pourover-server ${args.command}: ${(error as Error).message}\n`);
    process.exit(1);
  }
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

const logger = serverLogger({ level: args['log-level'] });
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
  oldestProtocol: args['oldest-protocol'],
  logger,
  metrics: args['no-metrics'] ? false : { token: args['metrics-token'], processMetrics: true },
});
const where = args.store === undefined ? `data: ${args.data}` : `data: ${args.data}, database: ${redactedPostgresUrl(args.store)}`;
if (server.ownerCode) process.stdout.write(`${ownerCodeLine(server.ownerCode)}\n`);
process.stdout.write(`Pourover sync server listening on ${server.url} (store: ${server.store.kind}, ${where})\n`);

/** How the console shows a store owner's sign-in code. */
function ownerCodeLine(code: string): string {
  return `Store owner sign-in code: ${code} (single use, valid ${OWNER_CODE_MS / 60_000} minutes, at /owner; \`pourover-server owner-code\` makes another)`;
}

// The first signal drains the node (docs/operations.md); a second one, during the drain, stops it at once.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      logger.warn({ signal }, 'a second signal during the drain: stopping at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.drain({ timeoutMs: args['drain-timeout'] * 1000 }).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`pourover-server: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
