import { PouroverError } from '@pourover/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hooksOf, specOf, type ServerApp } from './server-app.ts';

const notes: ServerApp = {
  collections: {
    notes: { name: 'notes', schema: z.object({ id: z.string() }), primaryKey: 'id', home: 'shopper', conflict: 'field-lww', syncgroup: [] },
  },
  hooks: { notes: { check: () => undefined } },
};

describe('the collections of an app', () => {
  it('are only those it defines: a name an object inherits (constructor, toString) is bad input, never a spec (found by the fuzzer)', () => {
    expect(specOf(notes, 'notes').name).toBe('notes');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'other']) {
      expect(() => specOf(notes, name)).toThrow(PouroverError);
      expect(hooksOf(notes, name)).toBeUndefined();
    }
    expect(hooksOf(notes, 'notes')?.check).toBeTypeOf('function');
  });
});
