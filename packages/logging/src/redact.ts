import { isSecretKey } from './secret-keys.ts';

export const CENSOR = '[Redacted]';
const CIRCULAR = '[Circular]';

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/**
 * `value` with every field named like a secret (see `isSecretKey`) set to
 * `[Redacted]`, at any depth, in plain objects and arrays. What holds no
 * secret is returned as it is, not copied; the caller's objects are never
 * changed. Other objects (errors, dates, buffers) are left to the logger's
 * serializers; a cycle back to an object being redacted becomes `[Circular]`.
 */
export function redactSecrets<T>(value: T): T {
  return redactIn(value, new Set()) as T;
}

function redactIn(value: unknown, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Left as it is, a cycle would be written from the original object, its secrets included.
  if (ancestors.has(value)) return CIRCULAR;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((entry, index) => {
        const redacted = redactIn(entry, ancestors);
        if (redacted !== entry) (copy ??= [...value])[index] = redacted;
      });
      return copy ?? value;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [key, entry] of Object.entries(value)) {
      const redacted = entry !== undefined && isSecretKey(key) ? CENSOR : redactIn(entry, ancestors);
      if (redacted !== entry) (copy ??= { ...value })[key] = redacted;
    }
    return copy ?? value;
  } finally {
    ancestors.delete(value);
  }
}
