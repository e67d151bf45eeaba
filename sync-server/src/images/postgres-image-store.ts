import { Pool } from 'pg';
import type { ImageStore, ImageType, StoredImage } from './image-store.ts';

/** Any constant: the advisory lock that lets one node at a time create the images table. */
const TABLE_LOCK = 7_240_024;

/**
 * Catalog images in the PostgreSQL database the nodes share, so an image
 * uploaded through one node is served by every other. The table is its own
 * (created if missing, one node at a time), apart from the document store's
 * migrations.
 */
export class PostgresImageStore implements ImageStore {
  readonly kind = 'postgres';
  readonly #pool: Pool;

  private constructor(pool: Pool) {
    this.#pool = pool;
  }

  static async open(options: { url: string; onError?: ((error: unknown) => void) | undefined }): Promise<PostgresImageStore> {
    const pool = new Pool({ connectionString: options.url, max: 2 });
    pool.on('error', (error) => options.onError?.(error));
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [TABLE_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS pourover_images (hash text PRIMARY KEY, type text NOT NULL, bytes bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
      await client.query('SELECT pg_advisory_unlock($1)', [TABLE_LOCK]);
    } catch (error) {
      client.release(true);
      await pool.end();
      throw error;
    }
    client.release();
    return new PostgresImageStore(pool);
  }

  async put(image: StoredImage): Promise<void> {
    await this.#pool.query('INSERT INTO pourover_images (hash, type, bytes) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING', [image.hash, image.type, image.bytes]);
  }

  async get(hash: string): Promise<StoredImage | undefined> {
    const { rows } = await this.#pool.query<{ hash: string; type: ImageType; bytes: Buffer }>('SELECT hash, type, bytes FROM pourover_images WHERE hash = $1', [hash]);
    const row = rows[0];
    return row ? { hash: row.hash, type: row.type, bytes: row.bytes } : undefined;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
