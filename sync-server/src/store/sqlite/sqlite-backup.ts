import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { identityMigrations } from '../../auth/sqlite-identity-store.ts';
import { DATA_FILES } from '../data-files.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { renewSqliteEpoch } from './sqlite-store.ts';

export type BackupProgress = (line: string) => void;

const FILES = Object.values(DATA_FILES);

/** How many schema versions this server knows of each file; a backup of a newer server is refused before anything moves. */
const KNOWN_VERSIONS: Record<string, number> = {
  [DATA_FILES.documents]: sqliteMigrations.length,
  [DATA_FILES.identities]: identityMigrations.length,
  [DATA_FILES.images]: 0,
};

/**
 * Copies a data folder's SQLite files into `to` (a new or empty folder, made private) while the server may keep
 * serving: each file is one consistent snapshot (`VACUUM INTO` reads it in one transaction, so writers never make it
 * start over). Every file is private from its first byte and synced before the next. Returns each file's size.
 */
export function backupDataDir(dataDir: string, to: string, progress: BackupProgress): { file: string; bytes: number }[] {
  if (!existsSync(join(dataDir, DATA_FILES.documents))) {
    throw new Error(`${dataDir} holds no ${DATA_FILES.documents}: is it a server's data folder?`);
  }
  if (existsSync(to) && readdirSync(to).length > 0) throw new Error(`${to} is not empty: back up into a new folder`);
  mkdirSync(to, { recursive: true, mode: 0o700 });
  chmodSync(to, 0o700);
  const copied: { file: string; bytes: number }[] = [];
  for (const file of FILES) {
    const source = join(dataDir, file);
    if (!existsSync(source)) continue;
    const target = join(to, file);
    closeSync(openSync(target, 'wx', 0o600));
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      progress(`${file}: copying`);
      db.prepare('VACUUM INTO ?').run(target);
    } finally {
      db.close();
    }
    syncFile(target);
    const check = new Database(target, { readonly: true, fileMustExist: true });
    try {
      copied.push({
        file,
        bytes: (
          check.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get() as { bytes: number }
        ).bytes,
      });
    } finally {
      check.close();
    }
  }
  syncFile(to);
  return copied;
}

/**
 * Replaces a data folder's SQLite files with a backup's once the server has stopped. Everything is checked and staged
 * first (integrity, schema versions this server knows, a new epoch with sequence numbers past any a device holds);
 * only then are the live files moved aside into `replaced-<time>/` and the staged ones renamed in, and a failure
 * midway moves the live files back. Nothing is deleted.
 */
export function restoreDataDir(dataDir: string, from: string, now: Date): { epoch: string; keptAside: string } {
  const source = realpathSync(from);
  const data = realpathSync(dataDir);
  const inside = relative(data, source);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new Error(`${from} is the data folder or inside it: restore from a backup kept elsewhere`);
  }
  for (const file of [DATA_FILES.documents, DATA_FILES.identities]) {
    if (!existsSync(join(from, file))) throw new Error(`${from} holds no ${file}: is it a backup made by \`pourover-server backup\`?`);
  }
  const present = FILES.filter((file) => existsSync(join(from, file)));
  for (const file of present) checkRestorable(join(from, file), KNOWN_VERSIONS[file] ?? 0);
  for (const file of FILES) refuseIfOpen(join(dataDir, file));

  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const staging = join(dataDir, `restoring-${stamp}`);
  mkdirSync(staging, { mode: 0o700 });
  for (const file of present) {
    copyFileSync(join(from, file), join(staging, file));
    chmodSync(join(staging, file), 0o600);
  }
  const epoch = renewSqliteEpoch(join(staging, DATA_FILES.documents));
  for (const file of present) syncFile(join(staging, file));

  const keptAside = join(dataDir, `replaced-${stamp}`);
  mkdirSync(keptAside, { mode: 0o700 });
  const moved: string[] = [];
  try {
    for (const name of readdirSync(dataDir)) {
      if (!FILES.some((file) => name === file || name === `${file}-wal` || name === `${file}-shm`)) continue;
      renameSync(join(dataDir, name), join(keptAside, name));
      moved.push(name);
    }
    for (const file of present) renameSync(join(staging, file), join(dataDir, file));
  } catch (error) {
    for (const file of present)
      if (existsSync(join(dataDir, file)) && !moved.includes(file)) renameSync(join(dataDir, file), join(staging, file));
    for (const name of moved) renameSync(join(keptAside, name), join(dataDir, name));
    throw new Error(`the restore stopped and the data folder is as it was: ${(error as Error).message}`, { cause: error });
  }
  rmSync(staging, { recursive: true, force: true });
  syncFile(keptAside);
  syncFile(dataDir);
  return { epoch, keptAside };
}

/** A backup file must be intact and of a schema version this server knows. */
function checkRestorable(file: string, known: number) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new Error(`${file} is damaged (${String(result)}): restore from another backup`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > known)
      throw new Error(`${file} has schema version ${version}, newer than this server knows (${known}): restore it with a newer server`);
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

/** Makes a file's (or a folder's) content durable. */
function syncFile(path: string) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
