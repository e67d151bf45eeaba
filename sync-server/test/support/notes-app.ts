/**
 * A small app that is no shop, for the engine's own tests: each user's
 * notes (their devices write them, the store reads them) and journal (theirs
 * alone), tasks the store hands a user (only the store writes them), items
 * the store publishes to every user (with a picture each), and the store's
 * own settings, which no device reads. Its demo seeds one user with one
 * note, two pictured items and a setting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { contentHash, docId, OWNER_PATTERN, shopperReplica, STORE, type CollectionSpec } from '@pourover/schemas';
import sharp from 'sharp';
import { z } from 'zod';
import type { DemoParts, ServerApp } from '../../src/app/server-app.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import { signBlessing } from '../../src/auth/blessing-token.ts';
import type { ServerKey } from '../../src/auth/server-key.ts';
import { reencodePhoto } from '../../src/images/process-photo.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/start-server.ts';
import type { Write } from '../../src/store/store.ts';
import { uuid } from './test-server.ts';

const STORE_ONLY = `${STORE}:$`;
const EVERY_USER = `${STORE}:users`;

export const note = z.object({ id: docId, text: z.string().max(1_000), done: z.boolean() });
export const task = z.object({ id: docId, title: z.string().max(200), state: z.enum(['open', 'done']) });
export const item = z.object({ id: docId, name: z.string().max(200), image: contentHash });
export const setting = z.object({ id: docId, value: z.string().max(200) });

/** A user's notes: their devices read and write them, the store reads them. */
export const notes: CollectionSpec = {
  name: 'notes',
  schema: note,
  primaryKey: 'id',
  home: 'shopper',
  conflict: 'field-lww',
  syncgroup: [
    { pattern: OWNER_PATTERN, grants: ['read', 'write', 'admin'] },
    { pattern: STORE_ONLY, grants: ['read'] },
  ],
};

/** A user's journal: their devices alone read and write it. */
export const journal: CollectionSpec = {
  name: 'journal',
  schema: note,
  primaryKey: 'id',
  home: 'shopper',
  conflict: 'field-lww',
  syncgroup: [{ pattern: OWNER_PATTERN, grants: ['read', 'write', 'admin'] }],
};

/** Tasks the store hands a user: in the user's replica, read by their devices, written by the store alone. */
export const tasks: CollectionSpec = {
  name: 'tasks',
  schema: task,
  primaryKey: 'id',
  home: 'shopper',
  conflict: 'server-wins',
  syncgroup: [
    { pattern: OWNER_PATTERN, grants: ['read'] },
    { pattern: STORE_ONLY, grants: ['read', 'batch', 'admin'] },
  ],
};

/** Items the store publishes: in the store's replica, read by every user, written by the store. */
export const items: CollectionSpec = {
  name: 'items',
  schema: item,
  primaryKey: 'id',
  home: 'store',
  conflict: 'server-wins',
  syncgroup: [
    { pattern: EVERY_USER, grants: ['read'] },
    { pattern: STORE_ONLY, grants: ['read', 'write', 'batch', 'admin'] },
  ],
};

/** The store's own settings, in its replica: no device reads them. */
export const settings: CollectionSpec = {
  name: 'settings',
  schema: setting,
  primaryKey: 'id',
  home: 'store',
  conflict: 'server-wins',
  syncgroup: [{ pattern: STORE_ONLY, grants: ['read', 'write', 'batch', 'admin'] }],
};

/** The demo user: their replica, their account. */
export const NOTES_USER_ID = '00000000-0000-4000-8000-00000000d000';
export const NOTES_REPLICA = shopperReplica(NOTES_USER_ID);
export const NOTES_EMAIL = 'notes@example.com';
export const NOTES_PASSWORD = 'notes-demo-password';

/** A valid note numbered `n`, as it travels. */
export function noteDoc(n: number, fields: Partial<z.infer<typeof note>> = {}): WireDocument {
  return { ...note.parse({ id: uuid(n), text: `note ${n}`, done: false, ...fields }), _deleted: false };
}

/** A valid open task numbered `n`, as it travels. */
export function taskDoc(n: number, fields: Partial<z.infer<typeof task>> = {}): WireDocument {
  return { ...task.parse({ id: uuid(n), title: `task ${n}`, state: 'open', ...fields }), _deleted: false };
}

/** A photo of one colour, stored as the server stores uploads. */
async function demoPicture(background: string) {
  const png = await sharp({ create: { width: 96, height: 64, channels: 3, background } })
    .png()
    .toBuffer();
  return reencodePhoto(png);
}

/** The demo: two pictured items and a setting in the store's replica, the demo user's first note and their account (each only if missing). */
async function seedNotesDemo({ store, identity, images, now }: DemoParts): Promise<void> {
  const pictures = await Promise.all(['#336699', '#993366'].map(demoPicture));
  for (const picture of pictures) await images.put(picture);
  const writes = pictures.map((picture, index) => ({
    collection: 'items',
    document: { ...item.parse({ id: uuid(0xd100 + index), name: `item ${index}`, image: picture.hash }), _deleted: false },
    expect: { kind: 'absent' as const },
  }));
  const opening = { ...setting.parse({ id: uuid(0xd200), value: 'open' }), _deleted: false };
  await store.commit(STORE, [...writes, { collection: 'settings', document: opening, expect: { kind: 'absent' } }], 'each');
  await store.commit(NOTES_REPLICA, [{ collection: 'notes', document: noteDoc(0xd000), expect: { kind: 'absent' } }], 'each');
  if (await identity.account(NOTES_EMAIL)) return;
  await identity.createAccount({ email: NOTES_EMAIL, shopperId: NOTES_USER_ID, passwordHash: await hashPassword(NOTES_PASSWORD) }, now);
}

/** The notes app as the sync server runs it: no server hooks; a new user starts with a welcome note. */
export const notesApp: ServerApp = {
  collections: { notes, journal, tasks, items, settings },
  hooks: {},
  onSignUp: (user): Write[] => [
    {
      collection: 'notes',
      document: { ...note.parse({ id: user.id, text: `Welcome, ${user.name}`, done: false }), _deleted: false },
      expect: { kind: 'absent' },
    },
  ],
  imagesFor: 'items',
  demo: { user: NOTES_USER_ID, seed: seedNotesDemo },
};

export type NotesServer = RunningServer & { dir: string; stop(): Promise<void> };

/** A notes server on 127.0.0.1, an ephemeral port and a fresh temporary folder (seeded unless told otherwise). */
export async function startNotesServer(options: Partial<Omit<ServerOptions, 'app' | 'dataDir'>> = {}): Promise<NotesServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-notes-'));
  const server = await startServer({ app: notesApp, dataDir: dir, seed: true, port: 0, ...options });
  return {
    ...server,
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A blessing token for a user's device (the demo user's unless told), signed by `key`. */
export function userToken(key: ServerKey, userId = NOTES_USER_ID, device = 'phone'): string {
  return signBlessing(key, { name: `${shopperReplica(userId)}:${device}`, ttlSeconds: 3600 });
}
