import { describe, expect, it } from 'vitest';
import { jsonLogger, type LogLevel } from './json-logger.ts';

const collecting = (level: LogLevel = 'info') => {
  const lines: string[] = [];
  const logger = jsonLogger({ level, name: 'pourover-test', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
};

describe('the JSON logger', () => {
  it('redacts every field named like a secret at any depth, in objects and arrays, and keeps the rest', () => {
    const { logger, lines, parsed } = collecting();
    const entry = {
      token: 'secret-1',
      request: { headers: { authorization: 'Bearer secret-2', 'x-pourover-token': 'secret-3', host: '127.0.0.1' }, path: '/trpc/x' },
      input: { rows: [{ newDocumentState: { id: 'a', cardToken: 'secret-4', profile: { password: 'secret-5' } } }, { id: 'b' }] },
      deep: [[{ a: { b: { c: { d: { refresh_token: 'secret-6', proof: 'secret-7', signature: 'secret-8' } } } } }]],
      sessions: [{ Cookie: 'secret-9', ticket: 'secret-10', code: 'secret-11', pairingCode: 'secret-12' }],
      statusCode: 426,
      error: 'UPDATE_NEEDED',
    };
    logger.info(entry, 'a request');
    expect(lines.join('')).not.toMatch(/secret-/);
    expect(parsed()[0]).toMatchObject({
      level: 'info',
      name: 'pourover-test',
      message: 'a request',
      token: '[Redacted]',
      request: { headers: { authorization: '[Redacted]', 'x-pourover-token': '[Redacted]', host: '127.0.0.1' }, path: '/trpc/x' },
      input: { rows: [{ newDocumentState: { id: 'a', cardToken: '[Redacted]', profile: { password: '[Redacted]' } } }, { id: 'b' }] },
      deep: [[{ a: { b: { c: { d: { refresh_token: '[Redacted]', proof: '[Redacted]', signature: '[Redacted]' } } } } }]],
      sessions: [{ Cookie: '[Redacted]', ticket: '[Redacted]', code: '[Redacted]', pairingCode: '[Redacted]' }],
      statusCode: 426,
      error: 'UPDATE_NEEDED',
    });
    // The caller's object is left as it was.
    expect(entry.input.rows[0]?.newDocumentState?.cardToken).toBe('secret-4');
  });

  it('redacts a child logger’s bindings too', () => {
    const { logger, lines } = collecting();
    logger.child({ connection: { authorization: 'Bearer secret-child' } }).info({ ok: true });
    expect(lines.join('')).not.toContain('secret-child');
    logger
      .child({ part: 'store' })
      .child({ sessions: [{ token: 'secret-grandchild' }] })
      .info('nested');
    expect(lines.join('')).not.toContain('secret-');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ connection: { authorization: '[Redacted]' }, ok: true });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ part: 'store', sessions: [{ token: '[Redacted]' }], message: 'nested' });
  });

  it('writes a line holding a cycle, marked by pino, rather than failing', () => {
    const { logger, parsed } = collecting();
    const looped: Record<string, unknown> = { password: 'secret-loop' };
    looped['self'] = looped;
    logger.info({ looped });
    expect(parsed()[0]).toMatchObject({ looped: { password: '[Redacted]', self: '[Circular]' } });
  });

  it('writes nothing below its level', () => {
    const { logger, parsed } = collecting('info');
    logger.debug({ path: '/trpc/sync.lease' });
    logger.info({ path: '/trpc/sync.push' });
    expect(parsed().map((line) => line['path'])).toEqual(['/trpc/sync.push']);
  });
});
