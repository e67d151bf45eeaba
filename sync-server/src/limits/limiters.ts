import { Pool } from 'pg';
import { targetedClient } from '../store/postgres/postgres-client.ts';
import { postgresTargets, targetCursor } from '../store/postgres/postgres-targets.ts';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Budget } from './limit-settings.ts';

/** The table the shared limiters keep their counts in (created by a PostgreSQL store migration). */
export const RATE_LIMITS_TABLE = 'rate_limits';

/**
 * Where limiters keep their counts: in this process, or for the counters
 * that guard security when several nodes share one PostgreSQL database, in
 * that database, so an attacker gains nothing by spreading attempts over
 * nodes. `perNode` limiters always count in memory.
 */
export type Limiters = {
  readonly kind: 'memory' | 'postgres';
  perNode(name: string, budget: Budget): RateLimiterAbstract;
  shared(name: string, budget: Budget): RateLimiterAbstract;
  close(): Promise<void>;
};

const memory = (name: string, budget: Budget) =>
  new RateLimiterMemory({ keyPrefix: name, points: budget.points, duration: budget.seconds });

export function memoryLimiters(): Limiters {
  return { kind: 'memory', perNode: memory, shared: memory, close: async () => {} };
}

/**
 * Shared limiters over a small pool of their own (two connections, each
 * wait and query cut short after two seconds). Each has an in-memory
 * insurance limiter with the same budget: while the database can't answer,
 * the node counts alone rather than failing the request.
 */
export function postgresLimiters(url: string, onError: (error: unknown) => void): Limiters {
  // The hosts the URL names, as the store's connections follow them: a failover moves the limits' counts with the documents.
  const Client = targetedClient(targetCursor(postgresTargets(url)));
  const pool = new Pool({ Client, max: 2, connectionTimeoutMillis: 2_000, query_timeout: 2_000, application_name: 'pourover-limits' });
  // An idle connection that breaks emits here; unheard, it would end the process.
  pool.on('error', onError);
  return {
    kind: 'postgres',
    perNode: memory,
    shared: (name, budget) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: RATE_LIMITS_TABLE,
        tableCreated: true,
        keyPrefix: name,
        points: budget.points,
        duration: budget.seconds,
        // A key over its budget is refused from memory until its window ends: an attack costs the database nothing more.
        inMemoryBlockOnConsumed: budget.points + 1,
        inMemoryBlockDuration: budget.seconds,
        insuranceLimiter: memory(name, budget),
      }),
    close: () => pool.end(),
  };
}
