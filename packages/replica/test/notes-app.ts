/**
 * A small app that is no shop, for the replica's tests against a real sync
 * server: each user's profile (edited field by field on their devices) and
 * notes (which their devices write), tasks the store hands them (which their
 * devices only read), and items the store publishes to every user. Its demo
 * seeds the demo user's profile and three items.
 */
import { docId, OWNER_PATTERN, rxSchemaFor, shopperReplica, STORE, type CollectionSpec } from '@pourover/schemas';
import type { DemoParts, ServerApp } from '@pourover/sync-server/app';
import { z } from 'zod';
import type { DeviceApp } from '../src/device-app.ts';

const STORE_ONLY = `${STORE}:$`;
const EVERY_USER = `${STORE}:users`;

export const profile = z.object({ id: docId, name: z.string().max(200), email: z.string().max(200), address: z.string().max(500) });
/** A note; `done` came with version 1, optional, so a version-0 note is a version-1 note as it is. */
export const note = z.object({ id: docId, text: z.string().max(1_000), done: z.boolean().optional() });
export const task = z.object({ id: docId, title: z.string().max(200), state: z.enum(['open', 'done']) });
export const item = z.object({ id: docId, name: z.string().max(200) });

const ownersOwn = (conflict: CollectionSpec['conflict']) => ({
  primaryKey: 'id' as const,
  home: 'shopper' as const,
  conflict,
  syncgroup: [
    { pattern: OWNER_PATTERN, grants: ['read', 'write', 'admin'] as const },
    { pattern: STORE_ONLY, grants: ['read'] as const },
  ],
});

export const notesCollections = {
  profiles: { name: 'profiles', schema: profile, ...ownersOwn('field-lww') },
  notes: { name: 'notes', schema: note, ...ownersOwn('field-lww') },
  tasks: {
    name: 'tasks',
    schema: task,
    primaryKey: 'id',
    home: 'shopper',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: OWNER_PATTERN, grants: ['read'] },
      { pattern: STORE_ONLY, grants: ['read', 'batch', 'admin'] },
    ],
  },
  items: {
    name: 'items',
    schema: item,
    primaryKey: 'id',
    home: 'store',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: EVERY_USER, grants: ['read'] },
      { pattern: STORE_ONLY, grants: ['read', 'write', 'batch', 'admin'] },
    ],
  },
} as const satisfies Record<string, CollectionSpec>;

export type NotesCollection = keyof typeof notesCollections;

/** The demo user, whom a seeded server's dev sign-in signs devices in as, and their replica. */
export const DEMO_USER = '00000000-0000-4000-8000-00000000d000';
export const DEMO_REPLICA = shopperReplica(DEMO_USER);

const absent = { kind: 'absent' } as const;

/** The demo: the demo user's profile and three items the store publishes (each only if missing). */
async function seedNotesDemo({ store }: DemoParts): Promise<void> {
  const demoProfile = { id: DEMO_USER, name: 'Ada', email: 'ada@example.com', address: '1 First Street', _deleted: false };
  await store.commit(DEMO_REPLICA, [{ collection: 'profiles', document: demoProfile, expect: absent }], 'each');
  const items = [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000d10${n}`, name: `Item ${n}`, _deleted: false }));
  await store.commit(
    STORE,
    items.map((document) => ({ collection: 'items', document, expect: absent })),
    'each',
  );
}

/** The notes app as the sync server runs it: no server hooks, a profile for each new user. */
export const notesServerApp: ServerApp = {
  collections: notesCollections,
  hooks: {},
  onSignUp: (user) => [
    { collection: 'profiles', document: { id: user.id, name: user.name, email: user.email, address: '', _deleted: false }, expect: absent },
  ],
  demo: { user: DEMO_USER, seed: seedNotesDemo },
};

/** The notes at version 0, before `done`: how a device made by an older release of the app stored them. */
export const notesSchemaV0 = rxSchemaFor({ name: 'notes', schema: note.omit({ done: true }), primaryKey: 'id' }, 0);

/** The notes app as a device runs it: notes at version 1 (unchanged from 0 but for an optional field), the rest at 0. */
export const notesDeviceApp: DeviceApp<NotesCollection> = {
  collections: notesCollections,
  storage: {
    profiles: { schema: rxSchemaFor(notesCollections.profiles, 0), migrations: {} },
    notes: { schema: rxSchemaFor(notesCollections.notes, 1), migrations: { 1: (document) => document } },
    tasks: { schema: rxSchemaFor(notesCollections.tasks, 0), migrations: {} },
    items: { schema: rxSchemaFor(notesCollections.items, 0), migrations: {} },
  },
};

/** A new note, as the app inserts it. */
export const newNote = (text = 'a note') => ({ id: crypto.randomUUID(), text });
