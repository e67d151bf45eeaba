import type { IncomingMessage, ServerResponse } from 'node:http';
import { PouroverError } from '@pourover/protocol';
import { authenticate } from '../trpc/context.ts';
import { json, refuse } from '../http/responses.ts';
import { RateLimited } from '../limits/rate-limited.ts';
import { authorize } from '../sync/permissions.ts';
import type { ServerDeps } from '../trpc/trpc.ts';
import type { ImageStore } from './image-store.ts';
import { MAX_PHOTO_BYTES, photoTypes, reencodePhoto } from './process-photo.ts';

const IMAGE_PATH = /^\/images\/([0-9a-f]{64})(?:\.(?:webp|svg))?$/;

/**
 * The app's images over plain HTTP (binary bodies, not tRPC's JSON):
 * `GET /images/<sha256>` answers the image, immutable, since its name is its
 * content's hash; `POST /images` takes a photo from whoever may write the
 * collection the app names for them (`imagesFor`), charged to its request budgets like any call, and
 * answers the hash it is kept under. Returns false for other paths.
 */
export function imageRoutes(deps: ServerDeps, images: ImageStore): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const fail = (res: ServerResponse) => (error: unknown) => {
    const refusal = error instanceof PouroverError ? error : new PouroverError('INTERNAL', 'internal server error', { cause: error });
    if (refusal instanceof RateLimited && !res.headersSent) res.setHeader('retry-after', String(refusal.retryAfterSeconds));
    refuse(res, refusal.code, refusal.message);
  };
  return (req, res, path) => {
    const named = IMAGE_PATH.exec(path);
    if (named && (req.method === 'GET' || req.method === 'HEAD')) {
      void serve(req, res, images, named[1] ?? '').catch(fail(res));
      return true;
    }
    if (path === '/images' && req.method === 'POST') {
      void upload(deps, images, req, res).catch(fail(res));
      return true;
    }
    return false;
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, images: ImageStore, hash: string) {
  const image = await images.get(hash);
  if (!image) throw new PouroverError('NOT_FOUND', 'no such image');
  const headers = { 'cache-control': 'public, max-age=31536000, immutable', etag: `"${hash}"` };
  if (req.headers['if-none-match'] === headers.etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-type': image.type, 'content-length': image.bytes.length });
  res.end(req.method === 'HEAD' ? undefined : image.bytes);
}

async function upload(deps: ServerDeps, images: ImageStore, req: IncomingMessage, res: ServerResponse) {
  const header = req.headers.authorization;
  const found = header?.startsWith('Bearer ') ? authenticate(deps, header.slice(7)) : { problem: 'a blessing is required' };
  if (!found.principal) throw new PouroverError('UNAUTHENTICATED', found.problem ?? 'a blessing is required');
  await deps.limits.requests.charge({ principal: found.principal, address: deps.limits.addressOf(req) });
  if (!deps.app.imagesFor) throw new PouroverError('NOT_FOUND', 'this server’s app takes no images');
  authorize(deps, found.principal, deps.app.imagesFor, ['write']);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!(type in photoTypes)) throw new PouroverError('BAD_INPUT', 'upload a JPEG, PNG or WebP photo');
  const image = await reencodePhoto(await readBody(req, MAX_PHOTO_BYTES));
  await images.put(image);
  json(res, 201, { hash: image.hash, type: image.type, bytes: image.bytes.length });
}

/** The request's body, refused as soon as it passes `limit` bytes (whatever its content-length claims). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new PouroverError('TOO_LARGE', `a photo may be at most ${limit / 1024 / 1024} MB`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  if (size === 0) throw new PouroverError('BAD_INPUT', 'the upload is empty: choose a photo');
  return Buffer.concat(chunks);
}
