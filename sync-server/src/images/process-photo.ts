import { createHash } from 'node:crypto';
import { PouroverError } from '@pourover/protocol';
import sharp from 'sharp';
import { RateLimited } from '../limits/rate-limited.ts';
import type { StoredImage } from './image-store.ts';

/** The largest photo file the server takes (a phone's camera makes 2–6 MB). */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
/** The most pixels a photo may decode to (a 48-megapixel camera's full frame); past it decoding is refused before it starts. */
const MAX_PHOTO_PIXELS = 50_000_000;
/** The longest side kept: a product tile is at most 240 CSS pixels wide, so 640 stays sharp on a 2.5× screen. */
export const PHOTO_SIDE = 640;
const PHOTO_QUALITY = 80;
/** Photos are decoded one at a time per node; this many more wait, and the next one is refused. */
const QUEUED_PHOTOS = 4;

/** The photo formats an owner may upload, by their content type. */
export const photoTypes = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;

let running: Promise<unknown> = Promise.resolve();
let queued = 0;

/**
 * A photo as the shop shows it: decoded (a JPEG, PNG or WebP, as its bytes
 * say, whatever it was sent as), turned upright by its EXIF orientation,
 * fitted within `PHOTO_SIDE` pixels and encoded as WebP with no metadata
 * (a phone's photo carries where it was taken), named by its SHA-256.
 */
export async function reencodePhoto(bytes: Buffer): Promise<StoredImage> {
  if (queued >= QUEUED_PHOTOS) throw new RateLimited('the server is busy with other photos; try again in a few seconds', 2);
  queued += 1;
  const turn = running.then(() => encode(bytes));
  running = turn.catch(() => {});
  try {
    return await turn;
  } finally {
    queued -= 1;
  }
}

async function encode(bytes: Buffer): Promise<StoredImage> {
  const format = await sharp(bytes)
    .metadata()
    .then(
      (metadata) => metadata.format,
      () => undefined,
    );
  if (format !== 'jpeg' && format !== 'png' && format !== 'webp')
    throw new PouroverError('BAD_INPUT', 'the file is not a JPEG, PNG or WebP photo');
  try {
    const webp = await sharp(bytes, { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error' })
      .rotate()
      .resize(PHOTO_SIDE, PHOTO_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: PHOTO_QUALITY })
      .toBuffer();
    return { hash: createHash('sha256').update(webp).digest('hex'), type: 'image/webp', bytes: webp };
  } catch (error) {
    if (/pixel limit/i.test(String(error)))
      throw new PouroverError('TOO_LARGE', `the photo has more than ${MAX_PHOTO_PIXELS / 1_000_000} million pixels`);
    throw new PouroverError('BAD_INPUT', 'the photo could not be read: the file is damaged or cut short', { cause: error });
  }
}
