import type { Attempt } from './steady-device.ts';

/** The faults a database suffers in the fault tests and figures, with what each does. */
export const FAULTS = {
  restart: 'pg_ctl restart -m fast',
  crash: 'pg_ctl stop -m immediate, then start',
  terminate: 'pg_terminate_backend of every node session',
  'pause-postmaster': 'SIGSTOP of the postmaster for 10 s, then SIGCONT',
  'pause-server': 'SIGSTOP of the postmaster and every session for 10 s, then SIGCONT',
  failover: 'failover to the synchronous standby',
} as const;
export type FaultKind = keyof typeof FAULTS;

/** A `/readyz` answer as a poller saw it. */
export type ReadyzSample = { at: number; status: number };

/** What one fault did to the service, per node (in the order of the nodes); times in ms. */
export type FaultReport = {
  kind: FaultKind;
  startedAt: number;
  /** When the database first answered a new connection again (for `terminate`, which leaves it up, when the sessions were ended). */
  answeredAt: number;
  /** From the database answering again to the first acknowledged push through the node after its last refusal (0 if it never refused after). */
  recoveryMs: number[];
  /** From the fault's start to the node's `/readyz` first failing, if it did. */
  readyzFailedMs: (number | undefined)[];
  /** From the database answering again to the node's `/readyz` passing for good. */
  readyzPassedMs: (number | undefined)[];
  /** Pushes acknowledged, and refused with 503, during the fault and its recovery. */
  acknowledged: number;
  refused: number;
  /** Answers a healthy service never gives: a status other than 200 or 503, a 503 without Retry-After, or no answer. */
  unexpected: Attempt[];
};

/** The report of one fault from what the devices (grouped by the node they push through) and the `/readyz` pollers saw. */
export function faultReport(input: {
  kind: FaultKind;
  startedAt: number;
  answeredAt: number;
  pushesByNode: Attempt[][];
  readyzByNode: ReadyzSample[][];
}): FaultReport {
  const { startedAt, answeredAt } = input;
  const during = input.pushesByNode.map((attempts) => attempts.filter((attempt) => attempt.answeredAt >= startedAt));
  const all = during.flat();
  return {
    kind: input.kind,
    startedAt,
    answeredAt,
    recoveryMs: during.map((attempts) => Math.max(0, recoveredAt(attempts, startedAt) - answeredAt)),
    readyzFailedMs: input.readyzByNode.map((samples) => {
      const failed = samples.find((sample) => sample.at >= startedAt && sample.status !== 200);
      return failed && failed.at - startedAt;
    }),
    readyzPassedMs: input.readyzByNode.map((samples) => {
      const lastFailure = samples.findLast((sample) => sample.status !== 200)?.at ?? -Infinity;
      const passed = samples.find((sample) => sample.at >= Math.max(answeredAt, lastFailure) && sample.status === 200);
      return passed && Math.max(0, passed.at - answeredAt);
    }),
    acknowledged: all.filter((attempt) => attempt.status === 200).length,
    refused: all.filter((attempt) => attempt.status === 503).length,
    unexpected: all.filter((attempt) => attempt.status !== 200 && (attempt.status !== 503 || attempt.retryAfter === null)),
  };
}

/** When pushes through a node were acknowledged again: the first acknowledgement of a push sent after its last refusal. */
function recoveredAt(attempts: readonly Attempt[], startedAt: number): number {
  const refusals = attempts.filter((attempt) => attempt.status !== 200);
  const after = Math.max(startedAt, ...refusals.map((attempt) => attempt.sentAt));
  const acknowledged = attempts.filter((attempt) => attempt.status === 200 && attempt.sentAt >= after);
  return Math.min(...acknowledged.map((attempt) => attempt.answeredAt));
}
