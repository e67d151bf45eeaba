import type { WireDocument } from '@pourover/protocol';
import { describe, expect, it } from 'vitest';
import { ApprovalTimeouts, type ApprovalExpiry } from './approval-timeouts.ts';

const REPLICA = 'bluebottle:users:alice';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

function waiting(id: string, inMs: number): WireDocument {
  return { id, status: 'awaitingApproval', approveBy: new Date(Date.now() + inMs).toISOString(), _deleted: false };
}

/** Timeouts whose expiry records each order it was asked to reject, failing the first `failures` asks. */
function timeouts(failures = 0) {
  const expired: string[] = [];
  const outcomes: string[] = [];
  let failing = failures;
  const approvals = new ApprovalTimeouts({
    expire: async (_replica, order): Promise<ApprovalExpiry> => {
      if (failing > 0) {
        failing -= 1;
        throw new Error('the server is unreachable');
      }
      expired.push(order.id);
      return 'rejected';
    },
    now: () => new Date(),
    onExpired: (_replica, id, outcome) => outcomes.push(`${id}:${outcome}`),
    onFailure: () => {},
  });
  return { approvals, expired, outcomes };
}

describe('the processor’s approval timeouts', () => {
  it('reject a waiting order at its deadline, and one whose deadline passed (a restart) at once', async () => {
    const { approvals, expired, outcomes } = timeouts();
    approvals.see(REPLICA, waiting('late', -60_000));
    approvals.see(REPLICA, waiting('soon', 80));
    expect(approvals.waiting).toBe(2);
    await until(() => expired.length === 2);
    expect(expired).toEqual(['late', 'soon']);
    expect(outcomes).toEqual(['late:rejected', 'soon:rejected']);
    expect(approvals.waiting).toBe(0);
  });

  it('drop an order that left the wait, and every order when cleared', async () => {
    const { approvals, expired } = timeouts();
    approvals.see(REPLICA, waiting('approved', 50));
    approvals.see(REPLICA, { ...waiting('approved', 50), status: 'received' });
    approvals.see(REPLICA, waiting('closing', 50));
    approvals.clear();
    await sleep(120);
    expect(expired).toEqual([]);
    expect(approvals.waiting).toBe(0);
  });

  it('ask again after a failed rejection, until it lands', { timeout: 10_000 }, async () => {
    const { approvals, expired } = timeouts(1);
    approvals.see(REPLICA, waiting('retried', 0));
    await until(() => expired.length > 0);
    expect(expired).toEqual(['retried']);
    approvals.clear();
  });
});
