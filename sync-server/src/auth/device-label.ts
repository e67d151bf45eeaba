import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The most characters a device's name may have, as a shopper types it. */
export const MAX_DEVICE_LABEL = 40;

/** A device id as blessings carry it; names of this form (every device before free-text names) are kept as they are. */
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The id a device is blessed under for the name a shopper gave it ("Phone A",
 * "Cuisine d’Émile"): the name's letters and digits, accents dropped, joined
 * by `-`, and 6 hex digits of the name's hash so names that read alike stay
 * apart ("Phone A" and "phone-a"). A name that is already an id is the id,
 * so a device that signed in before free-text names signs in as itself.
 */
export function deviceIdOf(label: string): string {
  if (DEVICE_ID.test(label)) return label;
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  const hash = createHash('sha256').update(label).digest('hex').slice(0, 6);
  return `${slug || 'device'}-${hash}`;
}

/** A device's name as sign-ins take it: free text, trimmed, 1–40 characters (or an earlier device's id), no control characters; blessed under `deviceIdOf` it. */
export const deviceLabel = z
  .string()
  .trim()
  .min(1, 'name this device')
  // An id of an earlier device may run to 64 characters; a name typed now, to 40.
  .refine((label) => label.length <= MAX_DEVICE_LABEL || DEVICE_ID.test(label), `a device name has at most ${MAX_DEVICE_LABEL} characters`)
  .refine((label) => !/\p{Cc}/u.test(label), 'a device name has no control characters')
  .transform(deviceIdOf);
