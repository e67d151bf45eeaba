import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf, PouroverError, PROTOCOL_HEADER, streamConnectionParams } from '@pourover/protocol';
import type { Principal } from '@pourover/schemas';
import { authenticate, confirmed, principalNamed, type Authentication } from '../trpc/context.ts';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../trpc/errors.ts';
import type { ServerDeps } from '../trpc/trpc.ts';
import { publicEndpoints } from './public-attempts.ts';
import { RateLimited } from './rate-limited.ts';

export type Admission = {
  /**
   * Lets a request through to `next`. A live stream (a call of one of the
   * `subscriptions`) is first authenticated, by its stream ticket or a
   * bearer header, and takes its places under the stream limits, given back
   * when its response closes; a refusal is answered here (401, or 429 with
   * Retry-After) before any event-stream response starts. Calls of the
   * public endpoints are counted against their address's budget here, and
   * refused here when it is spent or locked out: a flood of them never
   * reaches tRPC.
   */
  admit(req: IncomingMessage, res: ServerResponse, next: () => void): void;
  /** The principal a stream was admitted as. */
  principalOf(req: IncomingMessage): Principal | undefined;
};

export function admission(
  deps: ServerDeps,
  options: { subscriptions: ReadonlySet<string>; onRefused: (req: IncomingMessage, error: PouroverError) => void },
): Admission {
  const admitted = new WeakMap<IncomingMessage, Principal>();

  async function admitStream(req: IncomingMessage, res: ServerResponse, url: URL) {
    const found = await streamPrincipal(deps, req, url.searchParams.get('connectionParams'));
    if (found.problem !== undefined) throw new PouroverError('UNAUTHENTICATED', found.problem);
    // A node catching up on revocations holds the stream a moment, then refuses it (UNAVAILABLE) rather than serve it unchecked.
    const principal = found.principal ?? (await confirmed(deps, found.unconfirmed));
    const release = await deps.limits.streams.take(principal, deps.limits.addressOf(req));
    // A client gone while it was admitted has closed its response already: its places go back at once.
    if (res.closed) {
      release();
      return false;
    }
    res.once('close', release);
    admitted.set(req, principal);
    return true;
  }

  const refused = (req: IncomingMessage, res: ServerResponse) => (error: unknown) => {
    const refusal = error instanceof PouroverError ? error : new PouroverError('INTERNAL', 'internal server error', { cause: error });
    options.onRefused(req, refusal);
    refuse(res, refusal);
  };

  return {
    admit(req, res, next) {
      const url = new URL(req.url ?? '/', 'http://server');
      const procedures = url.pathname.replace(/^\/trpc\//, '').split(',');
      if (procedures.some((name) => options.subscriptions.has(name))) {
        return void admitStream(req, res, url).then((open) => (open ? next() : undefined), refused(req, res));
      }
      const calls = procedures.filter((name) => publicEndpoints.has(name)).length;
      if (calls > 0) return void deps.limits.publicAttempts.admitAddress(deps.limits.addressOf(req), calls).then(next, refused(req, res));
      next();
    },
    principalOf: (req) => admitted.get(req),
  };
}

/** Who a stream request is: by its ticket (once), or by a bearer header; never by a token in its URL. */
async function streamPrincipal(deps: ServerDeps, req: IncomingMessage, params: string | null): Promise<Authentication> {
  if (params !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch {
      throw new PouroverError('BAD_INPUT', 'the stream’s connection parameters are not JSON');
    }
    if (typeof parsed === 'object' && parsed !== null && 'token' in parsed) {
      throw new PouroverError(
        'UNAUTHENTICATED',
        'a token in a stream’s address is refused (proxies and logs keep addresses): fetch a stream ticket (auth.streamTicket) and send it as `ticket`',
      );
    }
    const checked = streamConnectionParams.safeParse(parsed);
    if (!checked.success) throw new PouroverError('BAD_INPUT', 'a stream’s connection parameters carry only its `ticket`');
    const grant = await deps.identity.redeemStreamTicket(checked.data.ticket, deps.now());
    if (grant === undefined) return { problem: 'this stream ticket is unknown, used or expired; fetch a new one (auth.streamTicket)' };
    carryProtocol(req, grant.protocol);
    return principalNamed(deps, grant.holder);
  }
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return authenticate(deps, header.slice(7));
  return { problem: 'a live stream needs a stream ticket (auth.streamTicket) in its connection parameters' };
}

/**
 * Gives a stream's request the protocol its ticket was asked with, unless it names one itself (a browser's EventSource
 * cannot): the procedure's version check then refuses a protocol this node no longer serves with UPDATE_NEEDED, sent
 * inside the event stream, where the client reads its code (a refusal before the stream starts reaches a browser's
 * EventSource as a bare error, which it retries); and the request's log line names the protocol.
 */
function carryProtocol(req: IncomingMessage, protocol: number | undefined) {
  if (protocol !== undefined && req.headers[PROTOCOL_HEADER] === undefined) req.headers[PROTOCOL_HEADER] = String(protocol);
}

/** A refusal as a JSON answer shaped like tRPC's errors, so clients read every refusal alike. */
function refuse(res: ServerResponse, error: PouroverError) {
  const status = httpStatusOf[error.code];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (error instanceof RateLimited) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.code === 'UNAVAILABLE') headers['retry-after'] = String(UNAVAILABLE_RETRY_AFTER_SECONDS);
  const message = error.code === 'INTERNAL' ? 'internal server error' : error.message;
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { message, data: { code: error.code, httpStatus: status } } }));
}

/** The names of a router's subscription procedures (its live streams). */
export function subscriptionsOf(router: { _def: { procedures: object } }): ReadonlySet<string> {
  const procedures = Object.entries(router._def.procedures as Record<string, { _def: { type: string } }>);
  return new Set(procedures.flatMap(([name, procedure]) => (procedure._def.type === 'subscription' ? [name] : [])));
}
