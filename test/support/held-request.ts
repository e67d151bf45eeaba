import { connect, type Socket } from 'node:net';
import type { RawAnswer } from './raw-http.ts';

/** A request over a connection of its own, sent in parts: the server holds it as begun until `finish` sends the rest. */
export type HeldRequest = {
  /** Sends the rest of the request; resolves with the server's final answer once it closes the connection. */
  finish(rest: string): Promise<RawAnswer>;
  /** Resolves with what the server answered (its final answer) when it closes the connection, whether or not `finish` was called. */
  answer: Promise<RawAnswer>;
};

/**
 * Opens a connection to `url` and writes `first`, the start of an HTTP/1.1
 * request. With `untilContinue`, resolves only once the server answered
 * `100 Continue` to the request's `Expect: 100-continue`, which Node's
 * server writes just before it hands the request to its handler: from then
 * on the request is in flight there, waiting for its body.
 */
export async function holdRequest(url: string, first: string, options: { untilContinue?: boolean } = {}): Promise<HeldRequest> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect({ host: hostname, port: Number(port) });
  let received = '';
  let continued: () => void = () => {};
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (/^HTTP\/1\.1 100 /.test(received) && received.includes('\r\n\r\n')) continued();
    });
    socket.once('error', reject);
    socket.once('close', () => {
      try {
        resolve(parseAnswer(received));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
  // The caller reads the answer when it wants it; a connection the server cut before any answer is its to judge.
  answer.catch(() => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(first);
  if (options.untilContinue) {
    await new Promise<void>((resolve, reject) => {
      continued = resolve;
      answer.then(() => reject(new Error(`the server answered before 100 Continue: ${received.slice(0, 200)}`)), reject);
    });
  }
  return {
    answer,
    finish(rest) {
      socket.write(rest);
      return answer;
    },
  };
}

/** The final answer in what the server wrote (after any `100 Continue`), its chunked body joined. */
function parseAnswer(text: string): RawAnswer {
  const final = text.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, '');
  const split = final.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no answer before the connection closed: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = final.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = final.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = unchunked(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function unchunked(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, end), 16);
    if (!(size > 0)) return out;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
}
