/**
 * The fuzz's odd values: strings, numbers and keys that break naive code,
 * values nested deep, long and huge, and the mutations that put them into
 * a request.
 */
import { MAX_DEPTH, MAX_ROWS } from '@pourover/protocol';
import fc from 'fast-check';
import { DEMO_REPLICA } from '../support/test-server.ts';
import { Deep, type Mutation } from './mutations.ts';

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '💥🔥☕',
  '\u202eevil',
  'Z̤͔ͧ̑̓ä͖̭̈̇l͖͎g̞̥͈ͮ',
  'ﷺ',
  '__proto__',
  'constructor',
  "'; DROP TABLE documents; --",
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '%s%n%x',
  'null',
  'NaN',
  '\r\n\r\n',
  'bluebottle',
  'bluebottle:users',
  `${DEMO_REPLICA}:phone`,
];
export const HUGE_NUMBERS = [
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -1,
  -0,
  0.5,
  -1e21,
  1e21,
  2 ** 31,
  -(2 ** 31),
  1e-7,
  100_000_001,
];
const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '_deleted',
  'id',
  '',
  'replica',
  'admin',
  'a'.repeat(300),
  '💥',
];

/** Deep values mostly nest around the protocol's limit, now and then thousands of levels past it (KB3). */
const NEAR_LIMIT = 2 * MAX_DEPTH;

export const isoArb = fc
  .date({ min: new Date('1990-01-01T00:00:00.000Z'), max: new Date('2100-01-01T00:00:00.000Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
export const textArb = (max: number, minLength = 0) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength: Math.min(max, 40) }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength, maxLength: Math.min(max, 40) }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  );
const deepArb = fc
  .record({
    depth: fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 2, max: NEAR_LIMIT }) },
      { weight: 1, arbitrary: fc.integer({ min: 4_000, max: 40_000 }) },
    ),
    kind: fc.constantFrom<'array' | 'object'>('array', 'object'),
    inner: fc.jsonValue({ maxDepth: 1 }),
  })
  .map(({ depth, kind, inner }) => new Deep(depth, kind, inner));
export const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 30, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 12, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
  { weight: 12, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 10, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 6, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, '', [], {}) },
  { weight: 5, arbitrary: deepArb },
  { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((length) => 'x'.repeat(length)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: MAX_ROWS + 1 }).map((length) => Array.from({ length }, () => 0)) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(1_100_000)) },
);
export const keyArb = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'set', 'delete', 'add', 'add', 'wrap'),
  pick: fc.nat(),
  key: keyArb,
  value: valueArb,
  depth: fc.integer({ min: 1, max: 5 }),
});
export const mutationsArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
  { weight: 1, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) },
);
