/**
 * How soon two server nodes serve again after their PostgreSQL comes back
 * from each fault the fault test puts them through (`fault-rig.ts`): the
 * time from the database answering a new connection again to the first
 * push acknowledged through each node after its last refusal, and to each
 * node's `/readyz` passing. The full run goes through every fault, twice;
 * --quick through the three that take a second or so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULTS, type FaultKind } from '../support/fault-report.ts';
import { FaultRig } from '../support/fault-rig.ts';
import type { Samples } from './stats.ts';

const ALL: FaultKind[] = ['restart', 'crash', 'terminate', 'pause-postmaster', 'pause-server', 'failover'];
const QUICK: FaultKind[] = ['restart', 'terminate', 'failover'];
const SETTINGS =
  '2 nodes, 12 devices pushing every 100 ms; a primary with a synchronous standby (fsync off); a refused push waits its Retry-After (1 s) and up to half again';

const names = (kind: FaultKind) => ({
  push: `first acknowledged push after ${FAULTS[kind]}, from the database answering`,
  ready: `/readyz passing after ${FAULTS[kind]}, from the database answering`,
});

export async function faultFigures(options: { quick: boolean; step: (s: string) => void }): Promise<Samples[]> {
  const kinds = options.quick ? QUICK : ALL;
  const runs = options.quick ? 1 : 2;
  const measured = new Map(kinds.map((kind) => [kind, { push: [] as number[], ready: [] as number[] }]));
  let missing: string | undefined;
  for (let run = 1; run <= runs && missing === undefined; run += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-faults-'));
    options.step(`database faults: run ${run}/${runs}, starting PostgreSQL and the nodes`);
    const rig = await FaultRig.start({ dir, devices: 12, everyMs: 100 }).catch((error: Error) => {
      missing = `PostgreSQL did not start: ${error.message.split('\n')[0]}`;
      return undefined;
    });
    try {
      for (const kind of kinds) {
        if (!rig) break;
        options.step(`database faults: run ${run}/${runs}, ${FAULTS[kind]}`);
        await sleep(1_000);
        const report = await rig.fault(kind);
        measured.get(kind)?.push.push(...report.recoveryMs);
        measured.get(kind)?.ready.push(...report.readyzPassedMs.map((ms) => ms ?? NaN));
      }
    } finally {
      await rig?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const note = missing === undefined ? SETTINGS : `not measured: ${missing}`;
  return kinds.flatMap((kind, index) => {
    const values = measured.get(kind) ?? { push: [], ready: [] };
    const stated = index === 0 ? { durability: note } : {};
    return [
      { name: names(kind).push, unit: 'ms', values: values.push, ...stated },
      { name: names(kind).ready, unit: 'ms', values: values.ready },
    ];
  });
}
