/**
 * The check of one fuzzed push or batch: a result or a typed error, never
 * a success for no one, never unauthenticated for a caller with a token, and
 * (sent one at a time) a refusal or a batch not applied writes nothing. Not
 * a test file.
 */
import { expect } from 'vitest';
import type { Caller } from './callers.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { serialize } from './mutations.ts';

/** A request to send, as who; `sequential` when no other request is in flight, so a snapshot can show it changed nothing. */
export type SentRequest = { caller: Caller; request: unknown; sequential: boolean };

/** Sends a push or batch case and checks its answer; in the sequential phases, that a refusal changed nothing. */
export async function pushOrBatch(target: FuzzTarget, kind: 'push' | 'batch', sent: SentRequest) {
  const { send, typed, snapshot, tokens, outcomes } = target;
  const { caller, request, sequential } = sent;
  const before = sequential ? snapshot() : undefined;
  const answer = await send(kind === 'push' ? 'sync.push' : 'sync.batch', serialize(request), tokens[caller]);
  const outcome = typed(answer, `${kind} as ${caller}`);
  const tally = `${kind} ${outcome.ok ? ((outcome.data as { ok?: unknown }).ok === false ? 'not applied' : 'ok') : outcome.code}`;
  outcomes[tally] = (outcomes[tally] ?? 0) + 1;
  const context = `${kind} as ${caller}: ${answer.text.slice(0, 300)}`;
  if (caller === 'none' || caller === 'junk') expect(outcome.ok, context).toBe(false);
  else if (!outcome.ok) expect(outcome.code, context).not.toBe('UNAUTHENTICATED');
  if (outcome.ok) {
    if (kind === 'push') {
      const { conflicts } = outcome.data as { conflicts: unknown };
      expect(Array.isArray(conflicts), context).toBe(true);
      for (const conflict of conflicts as unknown[])
        expect(conflict, context).toMatchObject({ id: expect.any(String), _deleted: expect.any(Boolean) });
    } else {
      const result = outcome.data as { ok: unknown; reason?: unknown };
      expect(typeof result.ok, context).toBe('boolean');
      if (result.ok === false) expect(['precondition', 'deadline'], context).toContain(result.reason);
      // A batch that did not apply changed nothing.
      if (before && result.ok === false) expect(snapshot(), context).toEqual(before);
    }
  } else if (before) {
    expect(snapshot(), `a refused ${kind} changes nothing: ${context}`).toEqual(before);
  }
}
