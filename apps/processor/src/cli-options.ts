import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { logLevel } from './processor-logger.ts';

export const usage = `Usage: pourover-processor [options]

Processes every shopper's placed orders: charges them, takes a place in their
delivery slot and moves them to processed orders, exactly once. Keeps the
coming days' delivery slots generated from the store's weekly schedule.

Options:
  --server URL        the sync server (default http://127.0.0.1:4000)
  --journal FILE      the processor's journal, SQLite (default ./data/processor-journal.sqlite)
  --ledger FILE       the simulated payment gateway's ledger (default ./data/payments.sqlite)
  --credentials FILE  a file holding the store's blessing token (default ./data/store.token);
                      the POUROVER_STORE_TOKEN environment variable takes precedence
  --concurrency N     orders processed at once (default 64)
  --lease-ttl-ms N    how long the processor lease lasts unless renewed (default 10000);
                      a second processor takes over this long after the first dies
  --slot-days N       publish delivery slots this many days ahead, generated from the
                      store's weekly schedule (default 14)
  --once              process the orders placed now, then exit
  --log-level L       trace, debug, info, warn, error, fatal or silent (default info, or
                      env POUROVER_LOG_LEVEL); debug adds each renewal of the lease
  --metrics-port N    serve Prometheus metrics at http://127.0.0.1:N/metrics (loopback only;
                      0 picks a free port, logged at start); default: no listener
  --help              show this help
`;

const options = z
  .object({
    server: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4000'),
    journal: z.string().min(1).default('./data/processor-journal.sqlite'),
    ledger: z.string().min(1).default('./data/payments.sqlite'),
    credentials: z.string().min(1).default('./data/store.token'),
    concurrency: z.coerce.number().int().min(1).max(256).default(64),
    'lease-ttl-ms': z.coerce.number().int().min(1_000).max(600_000).default(10_000),
    'slot-days': z.coerce.number().int().min(1).max(90).default(14),
    once: z.boolean().default(false),
    'log-level': logLevel.default('info'),
    'metrics-port': z.coerce.number().int().min(0).max(65_535).optional(),
    help: z.boolean().default(false),
  })
  .strict();

export type CliOptions = z.infer<typeof options> & { token: string };

/** Reads and checks the command line; throws an Error whose message says what is wrong. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      journal: { type: 'string' },
      ledger: { type: 'string' },
      credentials: { type: 'string' },
      concurrency: { type: 'string' },
      'lease-ttl-ms': { type: 'string' },
      'slot-days': { type: 'string' },
      once: { type: 'boolean' },
      'log-level': { type: 'string' },
      'metrics-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const level = values['log-level'] ?? (env['POUROVER_LOG_LEVEL'] || undefined);
  const result = options.safeParse({ ...values, ...(level ? { 'log-level': level } : {}) });
  if (!result.success) throw new Error(z.prettifyError(result.error));
  if (result.data.help) return { ...result.data, token: '' };
  const token = env['POUROVER_STORE_TOKEN'] ?? readToken(result.data.credentials);
  return { ...result.data, token };
}

function readToken(file: string): string {
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new Error(`${file} does not hold a blessing token`);
    return token;
  } catch (error) {
    throw new Error(`no store credentials: set POUROVER_STORE_TOKEN or pass --credentials (${(error as Error).message})`, {
      cause: error,
    });
  }
}
