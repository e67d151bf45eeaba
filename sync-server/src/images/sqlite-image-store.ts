import Database from 'better-sqlite3';
import type { ImageStore, ImageType, StoredImage } from './image-store.ts';

/** Images in a SQLite file of their own, each write synced before it is answered. */
export class SqliteImageStore implements ImageStore {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(
      'CREATE TABLE IF NOT EXISTS images (hash TEXT PRIMARY KEY, type TEXT NOT NULL, bytes BLOB NOT NULL, created_at TEXT NOT NULL)',
    );
  }

  async put(image: StoredImage): Promise<void> {
    this.#db
      .prepare('INSERT OR IGNORE INTO images (hash, type, bytes, created_at) VALUES (?, ?, ?, ?)')
      .run(image.hash, image.type, image.bytes, new Date().toISOString());
  }

  async get(hash: string): Promise<StoredImage | undefined> {
    const row = this.#db.prepare('SELECT hash, type, bytes FROM images WHERE hash = ?').get(hash) as
      { hash: string; type: ImageType; bytes: Buffer } | undefined;
    return row ? { hash: row.hash, type: row.type, bytes: row.bytes } : undefined;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
