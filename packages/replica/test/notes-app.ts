/**
 * The engine's neutral notes app (`@pourover/sync-server/notes-app`) as a
 * device runs it, for the replica's tests against a real sync server: the
 * user's profile, notes and tasks, and the store's items. Notes are at
 * version 1, which added an optional field to version 0.
 */
import { rxSchemaFor } from '@pourover/schemas';
import { note, notesCollections } from '@pourover/sync-server/notes-app';
import type { DeviceApp } from '../src/device-app.ts';

export {
  notesApp as notesServerApp,
  notesCollections,
  NOTES_REPLICA as DEMO_REPLICA,
  NOTES_USER_ID as DEMO_USER,
} from '@pourover/sync-server/notes-app';

type DeviceCollection = 'profiles' | 'notes' | 'tasks' | 'items';

/** The notes at version 0, before `done`: how a device made by an older release of the app stored them. */
export const notesSchemaV0 = rxSchemaFor({ name: 'notes', schema: note.omit({ done: true }), primaryKey: 'id' }, 0);

const { profiles, notes, tasks, items } = notesCollections;

/** The notes app as a device runs it: notes at version 1 (a version-0 note is one as it is), the rest at 0. */
export const notesDeviceApp: DeviceApp<DeviceCollection> = {
  collections: { profiles, notes, tasks, items },
  storage: {
    profiles: { schema: rxSchemaFor(profiles, 0), migrations: {} },
    notes: { schema: rxSchemaFor(notes, 1), migrations: { 1: (document) => document } },
    tasks: { schema: rxSchemaFor(tasks, 0), migrations: {} },
    items: { schema: rxSchemaFor(items, 0), migrations: {} },
  },
};

/** A new note, as the app inserts it. */
export const newNote = (text = 'a note') => ({ id: crypto.randomUUID(), text });
