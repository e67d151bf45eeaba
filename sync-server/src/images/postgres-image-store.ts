import { migratePostgres } from '../store/postgres/postgres-migrations.ts';
import { PostgresPool } from '../store/postgres/postgres-pool.ts';
import type { ImageStore, ImageType, StoredImage } from './image-store.ts';

/**
 * Images in the PostgreSQL database the nodes share, so an image
 * uploaded through one node is served by every other. Its table is one of
 * the store's migrations; its connections are bounded and watched like the
 * store's, so a database that goes away fails a request with UNAVAILABLE and
 * never the process.
 */
export class PostgresImageStore implements ImageStore {
  readonly kind = 'postgres';
  readonly #pool: PostgresPool;

  private constructor(pool: PostgresPool) {
    this.#pool = pool;
  }

  static async open(options: { url: string; onError?: ((error: unknown) => void) | undefined }): Promise<PostgresImageStore> {
    const pool = new PostgresPool({
      url: options.url,
      max: 2,
      applicationName: 'pourover-images',
      onError: (error) => options.onError?.(error),
    });
    try {
      await pool.unbounded((client) => migratePostgres(client));
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresImageStore(pool);
  }

  async put(image: StoredImage): Promise<void> {
    await this.#pool.query('INSERT INTO pourover_images (hash, type, bytes) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING', [
      image.hash,
      image.type,
      image.bytes,
    ]);
  }

  async get(hash: string): Promise<StoredImage | undefined> {
    const { rows } = await this.#pool.query<{ hash: string; type: ImageType; bytes: Buffer }>(
      'SELECT hash, type, bytes FROM pourover_images WHERE hash = $1',
      [hash],
    );
    const row = rows[0];
    return row ? { hash: row.hash, type: row.type, bytes: row.bytes } : undefined;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
