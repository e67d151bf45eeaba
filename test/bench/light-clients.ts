import { Agent, request } from 'node:http';

/**
 * Devices reduced to their traffic, for loading the server: a live stream as
 * one bare SSE request, a push as one JSON POST — the requests tRPC's links
 * make, without a database or a tRPC client behind them, so that thousands
 * fit in the benchmark's process.
 */

export type RawStream = { close(): void };

/** Opens a device's live stream on its own connection; resolves once the server says `ready`. */
export function openRawStream(url: string, token: string): Promise<RawStream> {
  const input = encodeURIComponent(JSON.stringify({ lastEventId: null }));
  const params = encodeURIComponent(JSON.stringify({ token }));
  return new Promise((resolve, reject) => {
    const req = request(`${url}/trpc/sync.stream?input=${input}&connectionParams=${params}`, { agent: false, headers: { accept: 'text/event-stream' } });
    req.once('error', reject);
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`stream refused with ${res.statusCode}`));
      }
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (!text.includes('"kind":"ready"')) return;
        // From here on only the connection matters: drain what the server sends.
        res.off('data', onData);
        res.resume();
        resolve({ close: () => req.destroy() });
      };
      res.on('data', onData);
      // After `ready` this rejects nothing: the promise is settled.
      res.once('close', () => reject(new Error('the stream closed before it was ready')));
    });
    req.end();
  });
}

/** Opens `tokens.length` streams, `concurrency` connecting at a time (so the server's listen backlog never overflows). */
export async function openRawStreams(url: string, tokens: readonly string[], concurrency = 100): Promise<RawStream[]> {
  const streams: RawStream[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) streams.push(await openRawStream(url, tokens[next++] ?? ''));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return streams;
}

export type Pusher = {
  /** Sends one push; resolves with the HTTP status once the server answers. */
  push(body: string): Promise<number>;
  close(): void;
};

/** A device's pushes over its own keep-alive connection, as tRPC's `httpLink` sends them. */
export function pusher(url: string, token: string): Pusher {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    push: (body) =>
      new Promise((resolve, reject) => {
        const req = request(`${url}/trpc/sync.push`, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        });
        req.once('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
