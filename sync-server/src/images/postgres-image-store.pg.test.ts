import { onPostgres } from '../../testing/on-postgres.ts';
import { imageStoreConformance } from '@pourover/sync-server/testing';
import { PostgresImageStore } from './postgres-image-store.ts';

onPostgres((postgres) => {
  imageStoreConformance('postgres', async () => {
    const database = await postgres.createDatabase();
    const open = () => PostgresImageStore.open({ url: database.url });
    return { store: await open(), reopen: open, cleanup: database.drop };
  });
});
