import { STORE } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTES_REPLICA } from '../../testing/notes-app.ts';
import { startNotesServer, userToken, type NotesServer } from '../../test/support/notes-server.ts';
import { trpcClient } from '../../test/support/test-server.ts';

let server: NotesServer;
beforeAll(async () => {
  server = await startNotesServer();
});
afterAll(() => server.stop());

describe('the heads a device measures its first sync against', () => {
  it('are the latest change of each collection it reads, in its own replica and the store’s', async () => {
    const client = trpcClient(server.url, userToken(server.key));
    const { heads: answered } = await client.progress.heads.query();
    const [user, store] = [await server.store.head(NOTES_REPLICA), await server.store.head(STORE)];
    expect(Object.keys(answered).sort()).toEqual(['items', 'journal', 'notes', 'profiles', 'tasks']);
    // The store's replica also holds its settings, which no device reads: their changes count in no device's heads.
    const settings = await server.store.collectionHead(STORE, 'settings');
    expect(settings).toBeGreaterThan(0);
    expect(Math.max(answered['items'] ?? 0, settings)).toBe(store);
    expect(Math.max(answered['notes'] ?? 0, answered['profiles'] ?? 0)).toBe(user);
    expect(answered['notes']).toBeGreaterThan(0);
    expect(answered['journal']).toBe(0);
  });

  it('are refused without a blessing', async () => {
    const answer = await fetch(`${server.url}/trpc/progress.heads`);
    expect(answer.status).toBe(401);
  });
});
