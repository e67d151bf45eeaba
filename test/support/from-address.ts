import { request, type IncomingHttpHeaders } from 'node:http';

/**
 * Calls to a server on 127.0.0.1 from any loopback address (`from`, e.g.
 * `127.0.0.2`: the whole of 127.0.0.0/8 reaches it), so a test can be
 * several clients at once, as the server's per-address limits see them.
 */

export type Answer = { status: number; headers: IncomingHttpHeaders; text: string; body: unknown };

/** The typed error of a refused call (tRPC's error shape), if it is one. */
export function errorOf(answer: Answer): { message: string; code: string } | undefined {
  const error = (answer.body as { error?: { message: string; data: { code: string } } } | undefined)?.error;
  return error ? { message: error.message, code: error.data.code } : undefined;
}

/** One tRPC call over its own connection: a mutation as a POST, a query as a GET. */
export function callFrom(
  url: string,
  options: { procedure: string; input?: unknown; token?: string | undefined; from?: string | undefined; kind?: 'mutation' | 'query' },
): Promise<Answer> {
  const input = JSON.stringify(options.input ?? {});
  const query = options.kind === 'query';
  const headers: Record<string, string> = query
    ? {}
    : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(input)) };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const path = query ? `/trpc/${options.procedure}?input=${encodeURIComponent(input)}` : `/trpc/${options.procedure}`;
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: query ? 'GET' : 'POST', headers, agent: false, localAddress: options.from }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.once('error', reject);
    req.end(query ? undefined : input);
  });
}

export type OpenedStream = {
  status: number;
  headers: IncomingHttpHeaders;
  /** What the server sent so far. */
  text(): string;
  close(): void;
};

/** Opens a live stream URL (path and query), with any further request `headers`, and resolves once its response's head has arrived. */
export function openStreamFrom(url: string, path: string, from?: string, headers: Record<string, string> = {}): Promise<OpenedStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent: false, localAddress: from, headers: { accept: 'text/event-stream', ...headers } });
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: () => text, close: () => req.destroy() });
    });
    req.end();
  });
}

/** A live stream's path with a stream ticket in its connection parameters. */
export function streamPathWith(params: Record<string, string>, procedure = 'sync.stream', input: unknown = { lastEventId: null }): string {
  return `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}&connectionParams=${encodeURIComponent(JSON.stringify(params))}`;
}

/** A fresh single-use stream ticket for `token`. */
export async function ticketFor(url: string, token: string, from?: string): Promise<string> {
  const answer = await callFrom(url, { procedure: 'auth.streamTicket', token, from });
  if (answer.status !== 200) throw new Error(`no stream ticket: ${answer.status} ${answer.text}`);
  return (answer.body as { result: { data: { ticket: string } } }).result.data.ticket;
}
