/**
 * Whether a browser holds a signed-in device, and forgetting it, without
 * loading the sync engine: the sign-in screen loads before RxDB does (and
 * often instead of it). `indexedDBDeviceStore` keeps the device in this database.
 */
export const DEVICE_DATABASE = 'pourover-device';

/** Whether a device's keys and blessing are kept in `name`; opening it never creates it. */
export function hasDeviceState(indexedDB: IDBFactory, name = DEVICE_DATABASE): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    // The database did not exist: abort its creation, so this look leaves nothing behind.
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onerror = () => (request.error?.name === 'AbortError' ? resolve(false) : reject(request.error));
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('device')) {
        db.close();
        return resolve(false);
      }
      const count = db.transaction('device').objectStore('device').count('self');
      count.onsuccess = () => {
        db.close();
        resolve(count.result > 0);
      };
      count.onerror = () => {
        db.close();
        reject(count.error);
      };
    };
  });
}

/** Deletes the device's keys and blessing from this browser (signing out). */
export function forgetDevice(indexedDB: IDBFactory, name = DEVICE_DATABASE): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // Another tab still holds it open: it is deleted once that tab closes it, and this one is done with it.
    request.onblocked = () => resolve();
  });
}
