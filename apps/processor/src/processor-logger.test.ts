import { describe, expect, it } from 'vitest';
import { processorLogger } from './processor-logger.ts';

describe('the processor logger', () => {
  it('blanks a payment token, a password and a token wherever an entry holds them, arrays included', () => {
    const lines: string[] = [];
    const logger = processorLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    logger.info({
      order: { id: 'order-1', payment: { paymentToken: 'secret-pay' }, items: [{ id: 'item-1', quantity: 2 }] },
      shoppers: [{ profile: { paymentToken: 'secret-pay-2', name: 'Ann' } }],
      gateway: { request: { headers: { authorization: 'Bearer secret-gw' } } },
      outcome: 'received',
    });
    expect(lines.join('')).not.toContain('secret-');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      name: 'pourover-processor',
      order: { id: 'order-1', payment: { paymentToken: '[Redacted]' }, items: [{ id: 'item-1', quantity: 2 }] },
      shoppers: [{ profile: { paymentToken: '[Redacted]', name: 'Ann' } }],
      gateway: { request: { headers: { authorization: '[Redacted]' } } },
      outcome: 'received',
    });
  });
});
