import { dataFile } from '../store/data-files.ts';
import type { StoreChoice } from '../store/open-store.ts';
import type { ImageStore } from './image-store.ts';
import { PostgresImageStore } from './postgres-image-store.ts';
import { SqliteImageStore } from './sqlite-image-store.ts';

/** The image store beside the document store the options name: PostgreSQL for a URL, else `images.sqlite` in the data folder. */
export async function openImageStore(choice: Pick<StoreChoice, 'dataDir' | 'store' | 'onError'>): Promise<ImageStore> {
  if (choice.store === undefined) return new SqliteImageStore(dataFile(choice.dataDir, 'images'));
  return PostgresImageStore.open({ url: choice.store, onError: choice.onError });
}
