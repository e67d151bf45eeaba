import { dataFile } from '../store/data-files.ts';
import { postgresUrl } from '../store/open-store.ts';
import type { IdentityStore } from './identity-store.ts';
import { PostgresIdentityStore } from './postgres-identity-store.ts';
import { publicKeyPem, type ServerKey } from './server-key.ts';
import { SqliteIdentityStore } from './sqlite-identity-store.ts';

/**
 * The identities beside the store the server runs on: in the PostgreSQL
 * database its nodes share (for a PostgreSQL URL), else in a SQLite file under `dataDir`.
 */
export async function openIdentityStore(choice: {
  dataDir: string;
  store: string | undefined;
  key: ServerKey;
  onError: (error: unknown) => void;
}): Promise<IdentityStore> {
  if (choice.store === undefined) return new SqliteIdentityStore(dataFile(choice.dataDir, 'identities'));
  return PostgresIdentityStore.open({
    url: postgresUrl.parse(choice.store),
    serverPublicKey: publicKeyPem(choice.key),
    onError: choice.onError,
  });
}
