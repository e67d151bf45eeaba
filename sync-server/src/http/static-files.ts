import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { PouroverError } from '@pourover/protocol';
import { precompressed } from './precompressed.ts';
import { setPageHeaders } from './security-headers.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
};

/** A request path decoded; a malformed percent-escape (`/%E0%A4%A`, a lone `%`) is bad input, never a crash. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new PouroverError('BAD_INPUT', 'the request path has a malformed percent-escape');
  }
}

/**
 * Serves a built single-page app from `dir`: files as they are, or their
 * brotli or gzip copy the build made when the client takes it (hashed
 * assets cached for a year, the rest revalidated, so a new build reaches
 * every device), and `index.html` for any other GET path (client routes).
 */
export function staticFiles(dir: string): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const root = resolve(dir);
  return (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let file = resolve(join(root, normalize(decodedPath(path))));
    if (file !== root && !file.startsWith(root + sep)) return false;
    if (!existsSync(file) || !statSync(file).isFile()) file = join(root, 'index.html');
    if (!existsSync(file)) return false;
    const hashed = file.includes(`${sep}assets${sep}`);
    const compressed = precompressed(req, file);
    setPageHeaders(res);
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(compressed ? { 'content-encoding': compressed.encoding } : {}),
    });
    // A file removed or unreadable after the checks above ends this response only.
    if (req.method === 'HEAD') res.end();
    else
      createReadStream(compressed?.file ?? file)
        .on('error', () => res.destroy())
        .pipe(res);
    return true;
  };
}
