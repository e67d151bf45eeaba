/**
 * The fuzz's pairing and sign-in requests: sign in, ask for a pairing code,
 * redeem one (once, twice, or one never made), with device labels and
 * public keys drawn at random.
 */
import fc from 'fast-check';
import { callerArb, type Caller } from './callers.ts';
import type { Mutation } from './mutations.ts';
import { mutationsArb, valueArb } from './values.ts';

export type PairingCase = {
  action: 'devSignIn' | 'create' | 'redeem' | 'redeem-twice' | 'redeem-random';
  caller: Caller;
  device: unknown;
  secondDevice: unknown;
  publicKey: unknown;
  lowerCase: boolean;
  randomCode: unknown;
  createBody: unknown;
  mutations: Mutation[];
};

const labelArb = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a'.repeat(65), 'phone:admin', 'my phone', '../x', 'fuzz-lost') },
  { weight: 1, arbitrary: valueArb },
);
const jwkArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kty: fc.constant('EC'),
      crv: fc.constant('P-256'),
      x: fc.string({ maxLength: 70 }),
      y: fc.string({ maxLength: 70 }),
    }),
  },
  { weight: 1, arbitrary: valueArb },
);
export const pairingArb = fc.record({
  action: fc.constantFrom('devSignIn', 'create', 'redeem', 'redeem-twice', 'redeem-random'),
  caller: callerArb,
  device: labelArb,
  secondDevice: labelArb,
  publicKey: fc.option(jwkArb, { nil: undefined }),
  lowerCase: fc.boolean(),
  randomCode: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{8}$/), valueArb),
  createBody: fc.option(valueArb, { nil: undefined }),
  mutations: mutationsArb,
});
