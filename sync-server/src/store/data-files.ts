import { join } from 'node:path';

/** The SQLite files a server keeps in its data folder when it runs on the embedded store. */
export const DATA_FILES = { documents: 'pourover.sqlite', identities: 'identity.sqlite', images: 'images.sqlite' } as const;

export function dataFile(dataDir: string, which: keyof typeof DATA_FILES): string {
  return join(dataDir, DATA_FILES[which]);
}
