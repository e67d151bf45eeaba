import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotesServer, userToken, type NotesServer } from '../../test/support/notes-server.ts';
import { call, storeToken } from '../../test/support/test-server.ts';
import { MAX_PHOTO_BYTES, PHOTO_SIDE } from './process-photo.ts';

let server: NotesServer;
beforeAll(async () => {
  server = await startNotesServer();
});
afterAll(() => server.stop());

/** A camera-sized photo: noise, so it does not compress to nothing, with an EXIF orientation and a GPS tag. */
const photo = (format: 'jpeg' | 'png' | 'webp', width = 1600, height = 1200) =>
  sharp({ create: { width, height, channels: 3, background: '#886644', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .withMetadata({ orientation: 6, exif: { IFD3: { GPSLatitudeRef: 'N' } } })
    .toFormat(format)
    .toBuffer();

const upload = (body: Buffer, type: string, token = storeToken(server.key)) =>
  fetch(`${server.url}/images`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: new Uint8Array(body),
  });

describe('a photo uploaded by the store', () => {
  it.each(['jpeg', 'png', 'webp'] as const)(
    'as %s is kept upright, fitted within 640 px, as WebP with no metadata, under its hash',
    async (format) => {
      const response = await upload(await photo(format), `image/${format}`);
      expect(response.status).toBe(201);
      const { hash, type } = (await response.json()) as { hash: string; type: string };
      expect(type).toBe('image/webp');
      const served = await fetch(`${server.url}/images/${hash}`);
      const bytes = Buffer.from(await served.arrayBuffer());
      expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash);
      const kept = await sharp(bytes).metadata();
      expect(kept.format).toBe('webp');
      // Orientation 6 turns the 1600×1200 frame a quarter: upright it stands 1200 wide and 1600 high, fitted to 480×640.
      expect([kept.width, kept.height]).toEqual([(PHOTO_SIDE * 3) / 4, PHOTO_SIDE]);
      expect(kept.exif).toBeUndefined();
      expect(kept.orientation).toBeUndefined();
    },
  );

  it('refuses a user’s device, a missing blessing, a file that is no photo and one past the size limit, each in words', async () => {
    const jpeg = await photo('jpeg', 64, 64);
    const answers = {
      device: await upload(jpeg, 'image/jpeg', userToken(server.key)),
      none: await fetch(`${server.url}/images`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(jpeg) }),
      gif: await upload(Buffer.from('GIF89a not a photo'), 'image/gif'),
      disguised: await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png'),
      empty: await upload(Buffer.alloc(0), 'image/png'),
      huge: await upload(Buffer.alloc(MAX_PHOTO_BYTES + 1, 1), 'image/jpeg'),
    };
    const refusals = Object.fromEntries(
      await Promise.all(
        Object.entries(answers).map(async ([name, answer]) => [
          name,
          { status: answer.status, message: ((await answer.json()) as { error: { message: string } }).error.message },
        ]),
      ),
    );
    expect(refusals).toEqual({
      device: { status: 403, message: expect.stringMatching(/may not write items/) },
      none: { status: 401, message: 'a blessing is required' },
      gif: { status: 400, message: 'upload a JPEG, PNG or WebP photo' },
      disguised: { status: 400, message: 'the file is not a JPEG, PNG or WebP photo' },
      empty: { status: 400, message: 'the upload is empty: choose a photo' },
      huge: { status: 413, message: 'a photo may be at most 8 MB' },
    });
  });

  it('answers 304 to a client that already holds the image', async () => {
    const { hash } = (await (await upload(await photo('png', 80, 80), 'image/png')).json()) as { hash: string };
    const again = await call(server, 'GET', `/images/${hash}`, { headers: { 'if-none-match': `"${hash}"` } });
    expect(again.status).toBe(304);
  });
});
