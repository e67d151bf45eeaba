/** A sync server running the neutral notes app (`testing/notes-app.ts`), and its users' device tokens, for the engine's own tests. */
import { shopperReplica } from '@pourover/schemas';
import { signBlessing } from '../../src/auth/blessing-token.ts';
import type { ServerKey } from '../../src/auth/server-key.ts';
import type { ServerOptions } from '../../src/server/start-server.ts';
import { NOTES_USER_ID, notesApp } from '../../testing/notes-app.ts';
import { startTestServer, type TestServer } from './test-server.ts';

export type NotesServer = TestServer;

/** A seeded notes server on 127.0.0.1, an ephemeral port and a fresh temporary folder. */
export function startNotesServer(options: Partial<Omit<ServerOptions, 'app' | 'dataDir'>> = {}): Promise<NotesServer> {
  return startTestServer({ ...options, app: notesApp });
}

/** A blessing token for a user's device (the demo user's unless told), signed by `key`. */
export function userToken(key: ServerKey, userId = NOTES_USER_ID, device = 'phone'): string {
  return signBlessing(key, { name: `${shopperReplica(userId)}:${device}`, ttlSeconds: 3600 });
}
