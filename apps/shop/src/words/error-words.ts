import type { ErrorCode } from '@pourover/protocol';

/**
 * What each error code means to a shopper or the store owner, when the
 * server's own words don't say more. `UNAVAILABLE` (a node that can't reach
 * its database) is named here ahead of the protocol, so it has its sentence
 * the day a server answers with it.
 */
export const codeSentences: { readonly [K in ErrorCode | 'UNAVAILABLE']: string } = {
  BAD_INPUT: 'Something in the form is not right. Check the fields marked and try again.',
  TOO_LARGE: 'That is too large for us to take. Make it smaller and try again.',
  UNAUTHENTICATED: 'You are signed out on this device. Sign in again; nothing on this device is lost.',
  FORBIDDEN: 'This account may not do that.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  PRECONDITION_FAILED: 'Someone changed this meanwhile. We are showing the latest; try again.',
  RATE_LIMITED: 'Too many tries in a short time. Wait a moment and try again.',
  INTERNAL: 'Something went wrong on our side. Your changes are safe on this device; try again in a moment.',
  UNAVAILABLE: 'The shop is briefly unavailable. Your changes are safe on this device and will be sent when it is back.',
  UPDATE_NEEDED: 'This version of the shop is out of date. Reload to update: your changes are safe on this device and will be sent then.',
};

/** What the shop says when a request could not reach the server at all. */
export const OFFLINE_SENTENCE = 'You are offline. Your changes are kept on this device and sent when you are back online.';

/** The fields forms show errors beside, by the name requests give them. */
export type Field = 'device' | 'email' | 'password' | 'name' | 'code' | 'photo' | 'price' | 'capacity' | 'cutoff' | 'note' | 'count';

/** What to write in a field the server refused, by field. */
export const fieldSentences: { readonly [K in Field]: string } = {
  device: 'Name this device in 1 to 40 characters, for example “Phone” or “Kitchen tablet”.',
  email: 'Enter an email address, like name@example.com.',
  password: 'Use a password of at least 10 characters.',
  name: 'Enter your name, up to 120 characters.',
  code: 'A pairing code is 8 letters and digits, like K7M2P9XQ.',
  photo: 'Choose a JPEG, PNG or WebP photo of at most 8 MB.',
  price: 'Enter a price in dollars, like 4.50.',
  capacity: 'Enter a whole number of places.',
  cutoff: 'Choose the time after which orders close.',
  note: 'A note has at most 1,000 characters.',
  count: 'Choose from 1 to 99.',
};

/** An error in words: the sentence to show, and the field to show it beside, if one was at fault. */
export type Explained = { sentence: string; field?: Field };

type WireError = { message?: unknown; data?: { code?: unknown } | null; shape?: { data?: { code?: unknown } } };

const isField = (name: unknown): name is Field => typeof name === 'string' && name in fieldSentences;

/** The first field an input validation's issues name (tRPC sends zod's issues as the message), if any. */
function fieldOfIssues(message: string): Field | undefined {
  try {
    const issues = JSON.parse(message) as { path?: unknown[] }[];
    return Array.isArray(issues) ? issues.map((issue) => issue.path?.[0]).find(isField) : undefined;
  } catch {
    return undefined;
  }
}

/** A server's message that is written for people (not an issue list, a stack or a status line), as a sentence. */
function sentenceOf(message: string): string | undefined {
  const text = message.trim();
  if (!text || text.startsWith('[') || text.startsWith('{') || /internal server error/i.test(text) || text.length > 300) return undefined;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Words a shopper or the owner understands for any failure below: no
 * connection, a typed error of the server (its own words where it wrote
 * some, else its code's sentence), or a field the server's validation refused.
 */
export function explain(error: unknown): Explained {
  const wire = (typeof error === 'object' && error !== null ? error : {}) as WireError;
  const message = typeof wire.message === 'string' ? wire.message : String(error);
  const code = wire.data?.code ?? wire.shape?.data?.code;
  if (typeof code !== 'string' || !(code in codeSentences)) {
    if (/Failed to fetch|NetworkError|fetch failed|Load failed|network/i.test(message)) return { sentence: OFFLINE_SENTENCE };
    if (/Timeout of \d+ms reached/.test(message))
      return { sentence: 'The server stopped answering. We keep trying; your changes are safe on this device.' };
    return { sentence: codeSentences.INTERNAL };
  }
  const known = code as keyof typeof codeSentences;
  if (known === 'BAD_INPUT') {
    const field = fieldOfIssues(message);
    if (field) return { sentence: fieldSentences[field], field };
  }
  return { sentence: sentenceOf(message) ?? codeSentences[known] };
}
