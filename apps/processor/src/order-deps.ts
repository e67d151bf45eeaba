import type { WireDocument } from '@pourover/protocol';
import type { Credentials, SyncClient } from '@pourover/sync-client';
import type { Order } from '@pourover/schemas';
import type { Journal } from './journal.ts';
import type { PaymentGateway } from './payment-gateway.ts';

/** What processing and refunding an order use: the server, the journal, the gateway and the clock. */
export type OrderDeps = {
  client: SyncClient;
  /** The store's: every call rides out a server that answers UNAVAILABLE (its database restarting, say), waiting as it asks. */
  credentials: Credentials;
  journal: Journal;
  gateway: PaymentGateway;
  now: () => Date;
  /** How long a gateway call may take before it counts as failed (and is retried later). */
  gatewayTimeoutMs: number;
  /** The payment token on a shopper's profile now, for an order placed before orders recorded theirs. */
  profileToken: (replica: string) => Promise<string>;
  warn: (message: string, fields: Record<string, unknown>) => void;
  /** Told of each charge given back (`made`) and each ask to give one back that failed (`failed`, asked again later). */
  refunds: (result: 'made' | 'failed') => void;
};

/** An order as a live document on the wire. */
export const live = (order: Order): WireDocument => ({ ...order, _deleted: false });

/** `promise`, or a failure naming `what` once `ms` pass without an answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
