/**
 * A small app that is no shop, for the engine's own tests
 * (`@pourover/sync-server/notes-app`): each user's profile (edited field by
 * field), notes (their devices write them, the store reads them) and journal
 * (theirs alone); tasks the store hands a user (only the store writes them);
 * items the store publishes to every user, with a picture each; and the
 * store's own settings, which no device reads. Its demo seeds one user with
 * a profile, a note and an account, two pictured items and a setting.
 */
import type { WireDocument } from '@pourover/protocol';
import { contentHash, docId, OWNER_PATTERN, shopperReplica, STORE, type CollectionSpec } from '@pourover/schemas';
import sharp from 'sharp';
import { z } from 'zod';
import type { DemoParts, ServerApp } from '../src/app/server-app.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { reencodePhoto } from '../src/images/process-photo.ts';
import type { Write } from '../src/store/store.ts';

const STORE_ONLY = `${STORE}:$`;
const EVERY_USER = `${STORE}:users`;

export const profile = z.object({ id: docId, name: z.string().max(200), email: z.string().max(200), address: z.string().max(500) });
/** A note; `done` came with the device's version 1 of notes, optional, so a version-0 note is a version-1 note as it is. */
export const note = z.object({ id: docId, text: z.string().max(1_000), done: z.boolean().optional() });
export const task = z.object({ id: docId, title: z.string().max(200), state: z.enum(['open', 'done']) });
export const item = z.object({ id: docId, name: z.string().max(200), image: contentHash });
export const setting = z.object({ id: docId, value: z.string().max(200) });

/** A collection of each user's own: their devices read and write it, and the store reads it unless `private`. */
const usersOwn = (name: string, schema: z.ZodObject, options: { private?: boolean } = {}): CollectionSpec => ({
  name,
  schema,
  primaryKey: 'id',
  home: 'shopper',
  conflict: 'field-lww',
  syncgroup: [
    { pattern: OWNER_PATTERN, grants: ['read', 'write', 'admin'] },
    ...(options.private ? [] : [{ pattern: STORE_ONLY, grants: ['read'] as const }]),
  ],
});

export const notesCollections = {
  profiles: usersOwn('profiles', profile),
  notes: usersOwn('notes', note),
  journal: usersOwn('journal', note, { private: true }),
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
  settings: {
    name: 'settings',
    schema: setting,
    primaryKey: 'id',
    home: 'store',
    conflict: 'server-wins',
    syncgroup: [{ pattern: STORE_ONLY, grants: ['read', 'write', 'batch', 'admin'] }],
  },
} as const satisfies Record<string, CollectionSpec>;

/** A lower-case v4-shaped UUID numbered `n`, valid as a document id. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** The demo user: their id (a seeded server's dev sign-in signs devices in as them), replica and account. */
export const NOTES_USER_ID = uuid(0xd000);
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

const absent = { kind: 'absent' } as const;

/** A photo of one colour, stored as the server stores uploads. */
async function demoPicture(background: string) {
  const png = await sharp({ create: { width: 96, height: 64, channels: 3, background } })
    .png()
    .toBuffer();
  return reencodePhoto(png);
}

/** The demo, each part only if missing: two pictured items and a setting in the store's replica; the demo user's profile, first note and account. */
async function seedNotesDemo({ store, identity, images, now }: DemoParts): Promise<void> {
  const pictures = await Promise.all(['#336699', '#993366'].map(demoPicture));
  for (const picture of pictures) await images.put(picture);
  const items = pictures.map((picture, index) => item.parse({ id: uuid(0xd100 + index), name: `Item ${index + 1}`, image: picture.hash }));
  const opening = setting.parse({ id: uuid(0xd200), value: 'open' });
  await store.commit(
    STORE,
    [
      ...items.map((document) => ({ collection: 'items', document: { ...document, _deleted: false }, expect: absent })),
      { collection: 'settings', document: { ...opening, _deleted: false }, expect: absent },
    ],
    'each',
  );
  const demoProfile = profile.parse({ id: NOTES_USER_ID, name: 'Ada', email: NOTES_EMAIL, address: '1 First Street' });
  await store.commit(
    NOTES_REPLICA,
    [
      { collection: 'profiles', document: { ...demoProfile, _deleted: false }, expect: absent },
      { collection: 'notes', document: noteDoc(0xd000), expect: absent },
    ],
    'each',
  );
  if (await identity.account(NOTES_EMAIL)) return;
  await identity.createAccount({ email: NOTES_EMAIL, shopperId: NOTES_USER_ID, passwordHash: await hashPassword(NOTES_PASSWORD) }, now);
}

/** The notes app as the sync server runs it: no server hooks; a new user starts with a profile. */
export const notesApp: ServerApp = {
  collections: notesCollections,
  hooks: {},
  onSignUp: (user): Write[] => [
    {
      collection: 'profiles',
      document: { ...profile.parse({ id: user.id, name: user.name, email: user.email, address: '' }), _deleted: false },
      expect: absent,
    },
  ],
  imagesFor: 'items',
  demo: { user: NOTES_USER_ID, seed: seedNotesDemo },
};
