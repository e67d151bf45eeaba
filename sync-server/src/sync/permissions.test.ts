import { PouroverError } from '@pourover/protocol';
import { principalOf, shopperReplica, STORE, type Principal } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { authorize, isGranted, type Access } from './permissions.ts';
import { notesApp as app } from '../../testing/notes-app.ts';

const defaults: Access = {
  app,
  syncgroups: (_replica, collection) => ({ members: app.collections[collection]?.syncgroup ?? [], version: 0 }),
};
const must = (principal: Principal | undefined): Principal => {
  if (!principal) throw new Error('not a principal');
  return principal;
};
const alice = shopperReplica('alice');
const phone = must(principalOf(`${alice}:phone`));
const store = must(principalOf(STORE));
const codeOf = (attempt: () => unknown) => {
  try {
    attempt();
    return 'allowed';
  } catch (error) {
    return error instanceof PouroverError ? error.code : 'thrown';
  }
};

describe('the permission check', () => {
  it('refuses, as bad input, a target that names no replica, before `$owner` could match every device (KB1, KB6)', () => {
    for (const target of [`${STORE}:users`, `${alice}:phone`, 'not-a-replica', '']) {
      expect(
        codeOf(() => authorize(defaults, phone, 'notes', ['write', 'batch'], target)),
        target,
      ).toBe('BAD_INPUT');
      expect(
        codeOf(() => authorize(defaults, store, 'tasks', ['batch'], target)),
        target,
      ).toBe('BAD_INPUT');
      // Reached without `authorize` (watch and stream check grants directly): `$owner` of such a name matches no one.
      expect(isGranted(defaults.syncgroups, phone, target, 'notes', ['read']), target).toBe(false);
    }
    expect(authorize(defaults, phone, 'notes', ['write'])).toBe(alice);
  });

  it('lets the store write no user’s collection into its own replica, where they mean nothing; reading them finds nothing there', () => {
    for (const collection of ['notes', 'journal', 'tasks'] as const) {
      expect(
        codeOf(() => authorize(defaults, store, collection, ['write'])),
        collection,
      ).toBe('FORBIDDEN');
      expect(
        codeOf(() => authorize(defaults, store, collection, ['write', 'batch'], STORE)),
        collection,
      ).toBe('FORBIDDEN');
      expect(
        codeOf(() => authorize(defaults, store, collection, ['admin'])),
        collection,
      ).toBe('FORBIDDEN');
      expect(authorize(defaults, store, collection, ['read'])).toBe(STORE);
    }
    expect(authorize(defaults, store, 'items', ['write'])).toBe(STORE);
    expect(authorize(defaults, store, 'tasks', ['write', 'batch'], alice)).toBe(alice);
  });
});
