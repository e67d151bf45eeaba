/** The formats the server keeps images in: photos as WebP, drawings as SVG. */
export const imageTypes = ['image/webp', 'image/svg+xml'] as const;
export type ImageType = (typeof imageTypes)[number];

/** An image as the store keeps it: named by the SHA-256 of its bytes, so it never changes under its name. */
export type StoredImage = { hash: string; type: ImageType; bytes: Buffer };

/**
 * Where the app's images live: beside the documents, as durably (an image a
 * document names must not vanish in a crash). A SQLite file beside the
 * embedded store, or a table in the PostgreSQL database every node shares.
 * Every implementation passes the image store conformance suite (`@pourover/sync-server/testing`).
 */
export interface ImageStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Keeps an image; keeping one already kept changes nothing. Resolves once it is on disk. */
  put(image: StoredImage): Promise<void>;
  get(hash: string): Promise<StoredImage | undefined>;
  close(): Promise<void>;
}
