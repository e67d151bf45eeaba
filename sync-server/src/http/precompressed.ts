import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

/** The encodings the build precompresses files in (`.br`, `.gz` beside each), best first. */
const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/**
 * The precompressed copy of `file` to send to this client, if the build made
 * one in an encoding the client accepts: compressing once at build time
 * costs a request no CPU, and brotli at its best level beats what a server
 * could afford per request.
 */
export function precompressed(req: IncomingMessage, file: string): { file: string; encoding: string } | undefined {
  const accepted = String(req.headers['accept-encoding'] ?? '')
    .split(',')
    .map((part) => part.split(';'))
    .filter(([, quality]) => quality?.trim() !== 'q=0')
    .map(([name]) => name?.trim().toLowerCase());
  for (const { name, suffix } of encodings) {
    if (accepted.includes(name) && existsSync(file + suffix)) return { file: file + suffix, encoding: name };
  }
  return undefined;
}
