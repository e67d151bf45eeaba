import { onPostgres } from '../store/on-postgres.ts';
import { imageStoreConformance } from './image-store-conformance.ts';
import { PostgresImageStore } from './postgres-image-store.ts';

onPostgres((postgres) => {
  imageStoreConformance('postgres', async () => {
    const database = await postgres.createDatabase();
    const open = () => PostgresImageStore.open({ url: database.url });
    return { store: await open(), reopen: open, cleanup: database.drop };
  });
});
