import { PouroverError } from '@pourover/protocol';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, typedDatabaseError } from './postgres-unavailable.ts';

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('telling a database that cannot answer from a request that is wrong', () => {
  it.each([
    ['an administrator ended the session', withCode('terminating connection due to administrator command', '57P01')],
    ['a connection lost', withCode('Connection terminated unexpectedly')],
    ['a database closed to new sessions', withCode('database "shop" is not currently accepting connections', '55000')],
    ['a server that refuses connections', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a standby asked to write', withCode('cannot execute INSERT in a read-only transaction', '25006')],
    ['a cause further down', new Error('the commit failed', { cause: withCode('Connection terminated due to connection timeout') })],
  ])('%s is UNAVAILABLE', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect((typedDatabaseError(error) as PouroverError).code).toBe('UNAVAILABLE');
  });

  it.each([
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['another object in the wrong state', withCode('cannot drop the currently open database', '55006')],
  ])('%s is not', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(typedDatabaseError(error)).toBe(error);
  });
});
