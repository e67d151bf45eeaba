import { errorCodes } from '@pourover/protocol';
import { describe, expect, it } from 'vitest';
import { codeSentences, explain, fieldSentences, OFFLINE_SENTENCE } from './error-words.ts';

/** An error as the tRPC client gives it: the server's message and its Pourover code. */
const wire = (code: string, message: string) => Object.assign(new Error(message), { data: { code } });

describe('errors in words', () => {
  it('has a sentence for every error code the server answers with, and for UNAVAILABLE', () => {
    for (const code of [...errorCodes, 'UNAVAILABLE'] as const) {
      expect(codeSentences[code], code).toMatch(/^[A-Z].{20,}\.$/);
      // A refusal with nothing a person can read says its code's sentence.
      expect(explain(wire(code, '')).sentence, code).toBe(codeSentences[code]);
      expect(explain(wire(code, 'internal server error')).sentence, code).toBe(codeSentences[code]);
    }
  });

  it('shows the server’s own words as a sentence where it wrote some', () => {
    expect(explain(wire('UNAUTHENTICATED', 'the email or the password is wrong')).sentence).toBe('The email or the password is wrong.');
  });

  it('puts a refused field’s sentence beside that field, never the raw issue list', () => {
    const issues = JSON.stringify([{ origin: 'string', code: 'invalid_format', path: ['device'], message: 'Invalid string' }], null, 2);
    expect(explain(wire('BAD_INPUT', issues))).toEqual({ sentence: fieldSentences.device, field: 'device' });
    const unknownField = JSON.stringify([{ code: 'too_big', path: ['rows', 0], message: 'Too big' }]);
    expect(explain(wire('BAD_INPUT', unknownField))).toEqual({ sentence: codeSentences.BAD_INPUT });
  });

  it('says the shopper is offline when no request reached the server, and never shows a stack', () => {
    expect(explain(new TypeError('Failed to fetch')).sentence).toBe(OFFLINE_SENTENCE);
    expect(explain(new Error('Cannot read properties of undefined (reading "x")')).sentence).toBe(codeSentences.INTERNAL);
  });
});
