import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { drawProduct, type Drawing } from './demo-art.ts';
import type { StoredImage } from '@pourover/sync-server/app';

export type DemoPicture = { drawing: Drawing; label: string; accent: string };

/** Each drawing rendered once per process: the same SVG always gives the same WebP, so its hash names it. */
const rendered = new Map<string, Promise<StoredImage>>();

/** A demo product's photo: its drawing rendered to WebP at 480 pixels, as an owner's upload is kept. */
export function demoImage(picture: DemoPicture): Promise<StoredImage> {
  const svg = drawProduct(picture.drawing, picture);
  let image = rendered.get(svg);
  if (!image) {
    image = sharp(Buffer.from(svg))
      .webp({ quality: 80 })
      .toBuffer()
      .then((bytes) => ({ hash: createHash('sha256').update(bytes).digest('hex'), type: 'image/webp' as const, bytes }));
    rendered.set(svg, image);
  }
  return image;
}
