import type { IncomingMessage } from 'node:http';
import { PROOF_WINDOW_MS } from '@pourover/protocol';
import { clientAddress } from './client-address.ts';
import { HashGate } from './hash-gate.ts';
import { limitSettings, type LimitOverrides, type LimitSettings } from './limit-settings.ts';
import { memoryLimiters, postgresLimiters, type Limiters } from './limiters.ts';
import { PublicAttempts } from './public-attempts.ts';
import { RequestBudgets } from './request-budgets.ts';
import { SpentProofs } from './spent-proofs.ts';
import { StreamSlots } from './stream-slots.ts';

/** Every limit of one server node, from `limitSettings` and the node's store. */
export type Limits = {
  settings: LimitSettings;
  requests: RequestBudgets;
  streams: StreamSlots;
  publicAttempts: PublicAttempts;
  hashes: HashGate;
  refreshProofs: SpentProofs;
  /** The client address a request counts under. */
  addressOf(req: IncomingMessage): string;
  close(): Promise<void>;
};

/** The limits of a node: in memory on the embedded SQLite store; on PostgreSQL (`store` a URL), those that guard security shared through the database. */
export function openLimits(options: {
  overrides: LimitOverrides | undefined;
  store: string | undefined;
  onError: (error: unknown) => void;
}): Limits {
  const settings = limitSettings(options.overrides);
  const limiters: Limiters = options.store === undefined ? memoryLimiters() : postgresLimiters(options.store, options.onError);
  return {
    settings,
    requests: new RequestBudgets(limiters, settings),
    streams: new StreamSlots(settings),
    publicAttempts: new PublicAttempts(limiters, settings),
    hashes: new HashGate(settings.node),
    refreshProofs: new SpentProofs(limiters, PROOF_WINDOW_MS),
    addressOf: (req) => clientAddress(req, settings.trustedProxies),
    close: () => limiters.close(),
  };
}
