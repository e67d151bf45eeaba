// zod's mini build: the sign-in screen loads this, and it stays a few kilobytes.
import * as z from 'zod/mini';

/** A pairing code as the server makes them: 8 letters and digits. */
const pairingCode = z.pipe(
  z.string().check(z.trim(), z.regex(/^[A-Za-z0-9]{8}$/)),
  z.transform((code: string) => code.toUpperCase()),
);

const pairingFragment = z.object({ code: pairingCode });

/** The pages a pairing link opens: a shopper's second device pairs at `/pair`, a driver's phone signs in at `/driver`. */
export type PairingPage = '/pair' | '/driver';

/** The page a pairing QR code opens: the sign-in with the code filled in (in the fragment, so it never reaches a server). */
export function pairingUrl(origin: string, code: string, page: PairingPage = '/pair'): string {
  return `${origin}${page}#${new URLSearchParams({ code })}`;
}

/**
 * The pairing code in `text`: a pairing link of this shop (a scanned QR code,
 * or the address the app opened at) or a bare code. Anything else, including
 * another site's link, gives undefined.
 */
export function pairingCodeOf(text: string, origin: string, page: PairingPage = '/pair'): string | undefined {
  const bare = pairingCode.safeParse(text);
  if (bare.success) return bare.data;
  const url = parseUrl(text.trim());
  if (url?.origin !== origin || url.pathname !== page) return undefined;
  const fragment = pairingFragment.safeParse(Object.fromEntries(new URLSearchParams(url.hash.slice(1))));
  return fragment.success ? fragment.data.code : undefined;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
