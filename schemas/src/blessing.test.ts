import { describe, expect, it } from 'vitest';
import { isReplicaName, replicaName, shopperReplica, STORE } from './blessing.ts';

describe('replica names', () => {
  it('are the store’s and each shopper’s, and no other blessing (KB1)', () => {
    expect(isReplicaName(STORE)).toBe(true);
    expect(isReplicaName(shopperReplica('d00dfeed-0000-4000-8000-00000000000b'))).toBe(true);
    for (const name of [
      '',
      'bluebottle:',
      'bluebottle:users',
      'bluebottle:users:',
      'bluebottle:users:alice:phone',
      'bluebottle:admins:alice',
      'bluebottlex',
      `bluebottle:users:${'a'.repeat(65)}`,
    ]) {
      expect(isReplicaName(name), name).toBe(false);
      expect(replicaName.safeParse(name).success, name).toBe(false);
    }
  });
});
