import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  collectionNames,
  migrations,
  rxSchemaFor,
  rxSchemaOf,
  schemaVersions,
  storeOnlyCollectionNames,
  storeOnlyCollections,
  storeOnlyMigrations,
  storeOnlySchemaVersions,
} from './index.ts';

/**
 * Every shape each collection's documents ever had, by version. When this
 * test fails, a schema changed: bump its version in `schema-versions.ts`,
 * add the migration from the version before, and add the new hash here.
 * Never change a hash already here: devices hold documents of that shape.
 */
const HISTORY: Record<string, readonly string[]> = {
  user: ['f51eb885b8d871c5'],
  draftOrders: ['cb2421eeb2878ca5', '22cd144c447a4a02', '1b14a8fd8e119f5d', 'e298c950d374c413'],
  placedOrders: ['3d7138a158a7f205', '71344bb6409dca54', 'a37ce6a7311e9590', 'ba65734914520d76'],
  processedOrders: ['b6c33e0f728a2b92', '38e702aec88b3f29', '9f5ddff6ac1d5453', '68cd8793bb12a9e2'],
  deliveries: ['28ac896aff575715'],
  orderRequests: ['a6387c891c0f87da'],
  availability: ['1c331ae77a412e52', '3132a63f8d2ea927'],
  catalog: ['94dc0ea4e1dae255'],
  slotSchedule: ['45e4d402a5fb7bb1'],
  storeSettings: ['26b64aa69dd23a05'],
};

type Name = (typeof collectionNames)[number] | (typeof storeOnlyCollectionNames)[number];
const names: readonly Name[] = [...collectionNames, ...storeOnlyCollectionNames];
const isStoreOnly = (name: Name): name is (typeof storeOnlyCollectionNames)[number] =>
  (storeOnlyCollectionNames as readonly string[]).includes(name);
const versionOf = (name: Name) => (isStoreOnly(name) ? storeOnlySchemaVersions[name] : schemaVersions[name]);
const migrationsOf = (name: Name) => (isStoreOnly(name) ? storeOnlyMigrations[name] : migrations[name]);

function shapeHash(name: Name): string {
  const schema = isStoreOnly(name) ? rxSchemaFor(storeOnlyCollections[name], versionOf(name)) : rxSchemaOf(name);
  const { version: _version, ...shape } = schema;
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

describe('the document schemas', () => {
  it.each(names)('%s changes shape only with a new version, recorded in the history', (name) => {
    const history = HISTORY[name] ?? [];
    expect(versionOf(name), 'the version is the newest in the history').toBe(history.length - 1);
    expect(shapeHash(name), `the shape of version ${versionOf(name)}`).toBe(history.at(-1));
  });

  it.each(names)('%s has a migration into every version after the first', (name) => {
    for (let version = 1; version <= versionOf(name); version += 1)
      expect(migrationsOf(name)[version], `into version ${version}`).toBeTypeOf('function');
  });
});
