import { createHash } from 'node:crypto';

/**
 * A UUID (version 8, name-based) derived from `name`, as the server's
 * `stableId` makes them: generating a slot twice, in any process, yields
 * the same id, so a write of it with precondition `absent` lands once.
 */
export function nameBasedId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
