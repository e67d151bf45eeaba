import { describe, expect, it } from 'vitest';
import { serverLogger } from './logger.ts';

const collecting = () => {
  const lines: string[] = [];
  const logger = serverLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
};

describe('the server logger', () => {
  it('blanks every field named like a secret, at any depth and in arrays, and keeps the rest', () => {
    const { logger, lines } = collecting();
    logger.info({
      token: 'secret-top',
      req: { headers: { authorization: 'Bearer secret-header', host: '127.0.0.1' } },
      input: { rows: [{ newDocumentState: { id: 'doc-1', contact: { cardToken: 'secret-deep', password: 'secret-pw' } } }] },
      attempts: [
        { proof: 'secret-proof', signature: 'secret-sig' },
        { pairingCode: 'secret-code', ticket: 'secret-ticket' },
      ],
      path: '/trpc/auth.signIn',
    });
    expect(lines.join('')).not.toContain('secret-');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'info',
      name: 'pourover-server',
      token: '[Redacted]',
      req: { headers: { authorization: '[Redacted]', host: '127.0.0.1' } },
      input: { rows: [{ newDocumentState: { id: 'doc-1', contact: { cardToken: '[Redacted]', password: '[Redacted]' } } }] },
      attempts: [
        { proof: '[Redacted]', signature: '[Redacted]' },
        { pairingCode: '[Redacted]', ticket: '[Redacted]' },
      ],
      path: '/trpc/auth.signIn',
    });
  });

  it('writes nothing below its level', () => {
    const written: string[] = [];
    const logger = serverLogger({ level: 'info', destination: { write: (line: string) => void written.push(line) } });
    logger.debug({ path: '/trpc/sync.lease' });
    logger.info({ path: '/trpc/sync.push' });
    expect(written.map((line) => (JSON.parse(line) as { path: string }).path)).toEqual(['/trpc/sync.push']);
  });
});
