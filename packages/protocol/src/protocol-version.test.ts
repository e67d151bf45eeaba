import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as protocol from './index.ts';

/**
 * The wire format's fingerprint. When this test fails, the protocol changed:
 * bump PROTOCOL_VERSION (with a dated line in its comment) and put the new
 * version and hash here.
 */
const KNOWN = { version: 13, hash: 'cf189c1040282210' };

function fingerprint(): string {
  const schemas = Object.entries(protocol as Record<string, unknown>)
    .flatMap(([name, value]) => (value instanceof z.ZodType ? [[name, value] as const] : []))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, schema]) => [name, z.toJSONSchema(schema, { unrepresentable: 'any' })]);
  return createHash('sha256').update(JSON.stringify(schemas)).digest('hex').slice(0, 16);
}

describe('the wire protocol', () => {
  it('changes only together with PROTOCOL_VERSION', () => {
    expect({ version: protocol.PROTOCOL_VERSION, hash: fingerprint() }).toEqual(KNOWN);
  });

  it('reads back every stream position it writes', () => {
    const seq = fc.integer({ min: 0, max: 999_999_999_999_999 });
    const epoch = fc.option(fc.stringMatching(/^[0-9a-f]{16}$/), { nil: undefined });
    fc.assert(
      fc.property(seq, seq, epoch, (own, store, epoch) => {
        const position = { own, store, ...(epoch === undefined ? {} : { epoch }) };
        expect(protocol.decodePosition(protocol.encodePosition(position))).toEqual(position);
      }),
      { seed: 20261123 },
    );
    expect(protocol.decodePosition('1.2.3')).toBeUndefined();
    expect(protocol.decodePosition('1.2.0123456789ABCDEF')).toBeUndefined();
  });
});
