import { describe, expect, it } from 'vitest';
import { REDACTED_KEYS, REDACTED_UNDER, serverLogger } from './logger.ts';

describe('the server logger', () => {
  it('blanks every secret a line carries, at its top or under what a request sent, and keeps the rest', () => {
    let written = '';
    const logger = serverLogger({ level: 'info', destination: { write: (line: string) => void (written += line) } });
    const secrets = Object.fromEntries(REDACTED_KEYS.map((key) => [key, `secret-${key}-value`]));
    const nested = Object.fromEntries(REDACTED_UNDER.filter((parent) => !parent.includes('.')).map((parent) => [parent, { ...secrets }]));
    logger.info({
      ...secrets,
      ...nested,
      request: { ...secrets, path: '/trpc/auth.signIn' },
      req: { ...secrets, headers: { authorization: 'Bearer abc.def' } },
    });
    const line = JSON.parse(written) as Record<string, unknown>;
    expect(written).not.toMatch(/secret-|abc\.def/);
    expect(line['token']).toBe('[Redacted]');
    expect(line['request']).toMatchObject({ password: '[Redacted]', path: '/trpc/auth.signIn' });
    expect(line).toMatchObject({ level: 'info', req: { headers: { authorization: '[Redacted]' } } });
  });

  it('writes nothing below its level', () => {
    const written: string[] = [];
    const logger = serverLogger({ level: 'info', destination: { write: (line: string) => void written.push(line) } });
    logger.debug({ path: '/trpc/sync.lease' });
    logger.info({ path: '/trpc/sync.push' });
    expect(written.map((line) => (JSON.parse(line) as { path: string }).path)).toEqual(['/trpc/sync.push']);
  });
});
