/** Deletes every IndexedDB database RxDB's Dexie storage keeps for the replica database `name` (one per collection and version). */
export async function deleteReplicaDatabase(name: string): Promise<void> {
  const databases = (await indexedDB.databases?.()) ?? [];
  await Promise.all(
    databases
      .map((db) => db.name ?? '')
      .filter((found) => found.startsWith(`rxdb-dexie-${name}--`) || found === `rxdb-dexie-${name}`)
      .map(
        (found) =>
          new Promise<void>((resolve) => {
            const request = indexedDB.deleteDatabase(found);
            request.onsuccess = request.onerror = request.onblocked = () => resolve();
          }),
      ),
  );
}
