import { join } from 'node:path';
import { afterAll } from 'vitest';
import { tempDir } from '../../test/support/test-server.ts';
import { imageStoreConformance } from '@pourover/sync-server/testing';
import { SqliteImageStore } from './sqlite-image-store.ts';

const folder = tempDir();
afterAll(() => folder.remove());
let files = 0;

imageStoreConformance('sqlite', async () => {
  const file = join(folder.dir, `images-${(files += 1)}.sqlite`);
  return { store: new SqliteImageStore(file), reopen: async () => new SqliteImageStore(file), cleanup: async () => {} };
});
