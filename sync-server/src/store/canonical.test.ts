import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.ts';

describe('canonicalJson', () => {
  it('encodes a document the same whatever the order of its keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
  });

  // The stores compare a write with the stored state's text rather than encoding that state again.
  it('gives back its own text for what that text parses to', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 2_000 },
    );
    for (const value of [
      { 10: 'a', 9: 'b', x: 'c' },
      { s: '\ud800 lone', e: '' },
      { n: -0, big: 1e21, small: 5e-324 },
    ]) {
      const text = canonicalJson(value);
      expect(canonicalJson(JSON.parse(text))).toBe(text);
    }
  });
});
