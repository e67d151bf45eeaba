/** How far a refresh request's time may be from the server's clock. */
export const PROOF_WINDOW_MS = 5 * 60_000;

/** What a device signs (ECDSA P-256, SHA-256) to prove it holds its key and get a new access token. */
export function refreshMessage(device: string, at: string): string {
  return `pourover-refresh\n${device}\n${at}`;
}
