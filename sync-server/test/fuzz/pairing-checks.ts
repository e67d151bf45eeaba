/**
 * The check of one fuzzed pairing case: every answer a result or a typed
 * error, a blessing only for a shopper's device, a pairing code only for a
 * shopper's device and good once, and no document written.
 */
import { expect } from 'vitest';
import type { Answer } from '../support/test-server.ts';
import { D, O, type Caller } from './callers.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { mutated, serialize } from './mutations.ts';
import type { PairingCase } from './pairing-requests.ts';

const BLESSED = /^bluebottle:users:[^:]+:[A-Za-z0-9_-]{1,64}$/;

export async function pairing(target: FuzzTarget, input: PairingCase) {
  const { send, typed, snapshot, tokens } = target;
  const before = snapshot();
  const newDevice = (device: unknown, extra: Record<string, unknown> = {}) => {
    const body: Record<string, unknown> = { ...extra, device };
    if (input.publicKey !== undefined) body['publicKey'] = input.publicKey;
    return mutated(body, input.mutations);
  };
  const checkBlessed = (answer: Answer, what: string, shopperReplicaName?: string) => {
    const outcome = typed(answer, what);
    if (!outcome.ok) return outcome;
    const data = outcome.data as { token?: unknown; blessing?: unknown; expiresInSeconds?: unknown };
    expect(typeof data.token, what).toBe('string');
    expect(String(data.blessing), what).toMatch(BLESSED);
    if (shopperReplicaName)
      expect(String(data.blessing).startsWith(`${shopperReplicaName}:`), `${what}: ${String(data.blessing)}`).toBe(true);
    expect(typeof data.expiresInSeconds, what).toBe('number');
    return outcome;
  };
  /** Asks for a pairing code; a shopper's device gets one (unless its body is refused), no one else ever does. */
  const create = async (caller: Caller, body?: string): Promise<string | undefined> => {
    const answer = await send('auth.createPairingCode', body, tokens[caller]);
    const outcome = typed(answer, `createPairingCode as ${caller}`);
    const context = `createPairingCode as ${caller}: ${answer.text.slice(0, 200)}`;
    if (caller !== 'device' && caller !== 'other') {
      expect(outcome.ok, context).toBe(false);
      return undefined;
    }
    if (body === undefined) expect(outcome.ok, context).toBe(true);
    if (!outcome.ok) return undefined;
    const { code } = outcome.data as { code: unknown };
    expect(code, context).toMatch(/^[A-Z2-9]{8}$/);
    return String(code);
  };
  const creator: Caller = input.caller === 'other' ? 'other' : 'device';
  const creatorReplica = creator === 'other' ? O : D;

  switch (input.action) {
    case 'devSignIn':
      checkBlessed(await send('auth.devSignIn', serialize(newDevice(input.device)), tokens[input.caller]), 'devSignIn', D);
      break;
    case 'create':
      await create(input.caller, input.createBody === undefined ? undefined : serialize(input.createBody));
      break;
    case 'redeem':
    case 'redeem-twice': {
      const code = (await create(creator)) as string;
      const offered = input.lowerCase ? code.toLowerCase() : code;
      const first = checkBlessed(
        await send('auth.redeemPairingCode', serialize(newDevice(input.device, { code: offered }))),
        'redeemPairingCode',
        creatorReplica,
      );
      if (input.action === 'redeem-twice') {
        const again = await send('auth.redeemPairingCode', serialize({ code: offered, device: 'second-try' }));
        const outcome = checkBlessed(again, 'redeemPairingCode again');
        // A code blesses one device, once.
        if (first.ok) expect(outcome, again.text.slice(0, 200)).toEqual({ ok: false, code: 'UNAUTHENTICATED' });
      }
      break;
    }
    case 'redeem-random': {
      const answer = await send('auth.redeemPairingCode', serialize(newDevice(input.secondDevice, { code: input.randomCode })));
      expect(checkBlessed(answer, 'redeemPairingCode of a code never made').ok, answer.text.slice(0, 200)).toBe(false);
      break;
    }
  }
  expect(snapshot(), 'pairing writes no document').toEqual(before);
}
