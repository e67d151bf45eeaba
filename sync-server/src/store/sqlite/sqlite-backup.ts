import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATA_FILES } from '../data-files.ts';
import { renewSqliteEpoch } from './sqlite-store.ts';

export type BackupProgress = (line: string) => void;

const FILES = Object.values(DATA_FILES);

/**
 * Copies a data folder's SQLite files into `to` (a new or empty folder) with SQLite's online backup, so the server
 * may keep serving meanwhile; each file is consistent as of its own copy's end. Returns each file's size in bytes.
 */
export async function backupDataDir(dataDir: string, to: string, progress: BackupProgress): Promise<{ file: string; bytes: number }[]> {
  if (!existsSync(join(dataDir, DATA_FILES.documents))) {
    throw new Error(`${dataDir} holds no ${DATA_FILES.documents}: is it a server's data folder?`);
  }
  if (existsSync(to) && readdirSync(to).length > 0) throw new Error(`${to} is not empty: back up into a new folder`);
  mkdirSync(to, { recursive: true, mode: 0o700 });
  const copied: { file: string; bytes: number }[] = [];
  for (const file of FILES) {
    const source = join(dataDir, file);
    if (!existsSync(source)) continue;
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      const target = join(to, file);
      await db.backup(target, {
        progress({ totalPages, remainingPages }) {
          progress(`${file}: ${totalPages - remainingPages} of ${totalPages} pages`);
          return 1_000;
        },
      });
      chmodSync(target, 0o600);
      copied.push({
        file,
        bytes: (
          db.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get() as { bytes: number }
        ).bytes,
      });
    } finally {
      db.close();
    }
  }
  return copied;
}

/**
 * Replaces a data folder's SQLite files with a backup's, once the server has stopped, and gives the documents a new
 * epoch so devices pull again and push what the backup lacks. The files replaced are moved aside, never deleted.
 */
export function restoreDataDir(dataDir: string, from: string, now: Date): { epoch: string; keptAside: string } {
  for (const file of [DATA_FILES.documents, DATA_FILES.identities]) {
    if (!existsSync(join(from, file))) throw new Error(`${from} holds no ${file}: is it a backup made by \`pourover-server backup\`?`);
  }
  for (const file of FILES) {
    if (existsSync(join(from, file))) checkIntact(join(from, file));
  }
  for (const file of FILES) refuseIfOpen(join(dataDir, file));
  const keptAside = join(dataDir, `replaced-${now.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(keptAside, { mode: 0o700 });
  for (const name of readdirSync(dataDir)) {
    if (FILES.some((file) => name === file || name === `${file}-wal` || name === `${file}-shm`))
      renameSync(join(dataDir, name), join(keptAside, name));
  }
  for (const file of FILES) {
    if (!existsSync(join(from, file))) continue;
    copyFileSync(join(from, file), join(dataDir, file));
    chmodSync(join(dataDir, file), 0o600);
  }
  return { epoch: renewSqliteEpoch(join(dataDir, DATA_FILES.documents)), keptAside };
}

function checkIntact(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new Error(`${file} is damaged (${String(result)}): restore from another backup`);
  } finally {
    db.close();
  }
}

/** A running server holds its files open; taking an exclusive lock would then fail at once. */
function refuseIfOpen(file: string) {
  if (!existsSync(file)) return;
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    throw new Error(`${file} is in use: stop the server before restoring`, { cause: error });
  } finally {
    db.close();
  }
}
