/**
 * The check of a refused request: the error of the closed set with its
 * HTTP status, no result, no internals.
 */
import { httpStatusOf, type ErrorCode } from '@pourover/protocol';
import { expect } from 'vitest';
import { errorOf, internalsIn, type Answer } from '../support/test-server.ts';

/** The code of each refusal: `F` forbidden, `U` unauthenticated, `B` bad input (a request that names no replica). */
const refusalCode = { F: 'FORBIDDEN', U: 'UNAUTHENTICATED', B: 'BAD_INPUT' } as const satisfies Record<string, ErrorCode>;

export function expectRefused(answer: Answer, outcome: keyof typeof refusalCode) {
  const code: ErrorCode = refusalCode[outcome];
  expect({ status: answer.status, error: errorOf(answer) }).toMatchObject({
    status: httpStatusOf[code],
    error: { code, httpStatus: httpStatusOf[code] },
  });
  expect(answer.body).not.toHaveProperty('result');
  expect(internalsIn(answer.body)).toEqual([]);
}
