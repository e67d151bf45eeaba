/** So many requests (or attempts) in each window of `seconds`; a window starts with its first request. */
export type Budget = { points: number; seconds: number };

/** After `failures` failures within `seconds`, refused for `lockSeconds`. */
export type Lockout = { failures: number; seconds: number; lockSeconds: number };

/**
 * Every limit the server holds callers to, in one place. Request budgets and
 * live-stream caps count on each node; what guards the public endpoints (and
 * the device cap, and stream tickets) is shared by every node on PostgreSQL.
 */
export type LimitSettings = {
  /** One device (a blessing): its requests and its live streams (device streams and watches). */
  device: { requests: Budget; streams: number };
  /**
   * The store, over its own workers and its owners' devices: live streams
   * (each worker's watches, each dashboard's). Its requests count against no
   * budget.
   */
  store: { streams: number };
  /** One shopper account, over all its devices: devices not revoked, requests, live streams. */
  account: { devices: number; requests: Budget; streams: number };
  /**
   * One client address (an IPv6 /64): every request, live streams, calls to the public
   * endpoints (sign-in, sign-up, dev sign-in, pairing, refresh) and their failures.
   */
  address: { requests: Budget; streams: number; publicCalls: Budget; failures: Lockout };
  /** One email address: failed sign-ins (and sign-ups with a wrong password), from any address. */
  email: { failures: Lockout };
  /** One server node: live streams open, and password hashes (scrypt) at once, queued, and per address. */
  node: { streams: number; hashes: number; queuedHashes: number; hashesPerAddress: number };
  /** How long a stream ticket is good for. */
  streamTicketSeconds: number;
  /**
   * Proxies in front of the server that append the client's address to `X-Forwarded-For`:
   * 0 (the default) takes the connection's address and ignores the header.
   */
  trustedProxies: number;
};

const MINUTE = 60;

export const defaultLimits: LimitSettings = {
  device: { requests: { points: 200, seconds: 4 }, streams: 4 },
  store: { streams: 64 },
  account: { devices: 20, requests: { points: 400, seconds: 4 }, streams: 20 },
  address: {
    requests: { points: 2_000, seconds: 4 },
    streams: 1_000,
    publicCalls: { points: 30, seconds: MINUTE },
    failures: { failures: 10, seconds: 15 * MINUTE, lockSeconds: 15 * MINUTE },
  },
  email: { failures: { failures: 10, seconds: 15 * MINUTE, lockSeconds: 15 * MINUTE } },
  node: { streams: 10_000, hashes: 1, queuedHashes: 32, hashesPerAddress: 2 },
  streamTicketSeconds: 30,
  trustedProxies: 0,
};

/** Overrides of some limits: each group's fields replace the defaults' one by one. */
export type LimitOverrides = {
  [K in keyof LimitSettings]?: LimitSettings[K] extends object ? Partial<LimitSettings[K]> : LimitSettings[K];
};

export function limitSettings(overrides: LimitOverrides = {}): LimitSettings {
  return {
    device: { ...defaultLimits.device, ...overrides.device },
    store: { ...defaultLimits.store, ...overrides.store },
    account: { ...defaultLimits.account, ...overrides.account },
    address: { ...defaultLimits.address, ...overrides.address },
    email: { ...defaultLimits.email, ...overrides.email },
    node: { ...defaultLimits.node, ...overrides.node },
    streamTicketSeconds: overrides.streamTicketSeconds ?? defaultLimits.streamTicketSeconds,
    trustedProxies: overrides.trustedProxies ?? defaultLimits.trustedProxies,
  };
}
