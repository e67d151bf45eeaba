import type { IncomingMessage } from 'node:http';
import { APP_BUILD_HEADER, PouroverError, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@pourover/protocol';
import { z } from 'zod';

/** The oldest protocol a device may speak and still be served: every change since it has been additive. */
export const OLDEST_SERVED_PROTOCOL = 9;

/** What a request says of its client: the protocol it speaks and its app's build (absent for clients before negotiation). */
export type ClientVersion = { protocol: number | undefined; build: string | undefined };

const protocolHeader = z
  .string()
  .regex(/^\d{1,4}$/, 'not a protocol version')
  .transform(Number);
const buildHeader = z.string().regex(/^[\w.+-]{1,64}$/, 'not an app build');

/** Reads the client's version headers; a malformed one is bad input. */
export function clientVersionOf(req: IncomingMessage): ClientVersion {
  const protocol = req.headers[PROTOCOL_HEADER];
  const build = req.headers[APP_BUILD_HEADER];
  const parsed = {
    protocol: protocol === undefined ? undefined : protocolHeader.safeParse(protocol),
    build: build === undefined ? undefined : buildHeader.safeParse(build),
  };
  if (parsed.protocol?.success === false)
    throw new PouroverError('BAD_INPUT', `${PROTOCOL_HEADER}: ${parsed.protocol.error.issues[0]?.message}`);
  if (parsed.build?.success === false)
    throw new PouroverError('BAD_INPUT', `${APP_BUILD_HEADER}: ${parsed.build.error.issues[0]?.message}`);
  return { protocol: parsed.protocol?.data, build: parsed.build?.data };
}

/** The version headers a log line may show: only well-formed ones, so a request cannot write into the log. */
export function loggedVersion(req: IncomingMessage): { protocol?: number; app?: string } {
  const protocol = protocolHeader.safeParse(req.headers[PROTOCOL_HEADER]);
  const build = buildHeader.safeParse(req.headers[APP_BUILD_HEADER]);
  return { ...(protocol.success ? { protocol: protocol.data } : {}), ...(build.success ? { app: build.data } : {}) };
}

/**
 * Serves a client whose protocol this node speaks. An older one than `oldest` is told to update; a newer one than this
 * node's (a node not yet upgraded, in a rolling deploy) is asked to come back, when a balancer may send it to another.
 */
export function checkClientVersion(client: ClientVersion, oldest: number): void {
  if (client.protocol === undefined) return;
  if (client.protocol < oldest) {
    throw new PouroverError(
      'UPDATE_NEEDED',
      `this app speaks protocol ${client.protocol}, and the server now serves ${oldest} to ${PROTOCOL_VERSION}: reload the app to update`,
    );
  }
  if (client.protocol > PROTOCOL_VERSION) {
    throw new PouroverError(
      'UNAVAILABLE',
      `this server node speaks protocol ${PROTOCOL_VERSION}, older than the app's ${client.protocol}: try again`,
    );
  }
}
