import { Agent, request } from 'node:http';

/**
 * Devices reduced to their traffic, for loading the server: a live stream as
 * one bare SSE request (opened with a stream ticket, as a device's are), a
 * push as one JSON POST — the requests tRPC's links make, without a database
 * or a tRPC client behind them, so that thousands fit in the benchmark's
 * process. Each device may come from a loopback address of its own
 * (`from`), as real devices come from many addresses.
 */

export type RawStream = { close(): void };
export type RawDevice = { token: string; from?: string | undefined };

/** One JSON POST to a procedure; resolves with the status and the body's text. */
function post(
  url: string,
  options: { agent?: Agent; headers: Record<string, string>; body: string; from?: string | undefined },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) };
    const req = request(
      url,
      { method: 'POST', headers, ...(options.agent ? { agent: options.agent } : { agent: false, localAddress: options.from }) },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.once('error', reject);
    req.end(options.body);
  });
}

/** A single-use stream ticket, asked for with the device's bearer header as its client does. */
export async function streamTicket(url: string, device: RawDevice): Promise<string> {
  const answer = await post(`${url}/trpc/auth.streamTicket`, {
    headers: { authorization: `Bearer ${device.token}` },
    body: '{}',
    from: device.from,
  });
  if (answer.status !== 200) throw new Error(`stream ticket refused with ${answer.status}`);
  return (JSON.parse(answer.text) as { result: { data: { ticket: string } } }).result.data.ticket;
}

/** Opens a device's live stream on its own connection; resolves once the server says `ready`. */
export async function openRawStream(url: string, device: RawDevice): Promise<RawStream> {
  const input = encodeURIComponent(JSON.stringify({ lastEventId: null }));
  const params = encodeURIComponent(JSON.stringify({ ticket: await streamTicket(url, device) }));
  return new Promise((resolve, reject) => {
    const req = request(`${url}/trpc/sync.stream?input=${input}&connectionParams=${params}`, {
      agent: false,
      localAddress: device.from,
      headers: { accept: 'text/event-stream' },
    });
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

/** A stream whose ticket ran out before a loaded server served it (401) is opened again with a new ticket, as a device does. */
async function openWithFreshTickets(url: string, device: RawDevice, tries = 3): Promise<RawStream> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await openRawStream(url, device);
    } catch (error) {
      if (attempt >= tries || !String(error).includes('refused with 401')) throw error;
    }
  }
}

/** Opens a stream for each device, `concurrency` connecting at a time (so the server's listen backlog never overflows). */
export async function openRawStreams(url: string, devices: readonly RawDevice[], concurrency = 100): Promise<RawStream[]> {
  const streams: RawStream[] = [];
  let next = 0;
  const worker = async () => {
    while (next < devices.length) {
      const device = devices[next++];
      if (device) streams.push(await openWithFreshTickets(url, device));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return streams;
}

/** The `n`th of many client addresses on the loopback network (127.0.0.0/8 all reaches a server on 127.0.0.1). */
export function loopbackAddress(n: number, block = 1): string {
  return `127.${block}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export type Pusher = {
  /** Sends one push; resolves with the HTTP status once the server answers. */
  push(body: string): Promise<number>;
  close(): void;
};

/** A device's pushes over its own keep-alive connection, as tRPC's `httpLink` sends them. */
export function pusher(url: string, device: RawDevice): Pusher {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ...(device.from ? { localAddress: device.from } : {}) });
  const headers = { authorization: `Bearer ${device.token}` };
  return {
    push: async (body) => (await post(`${url}/trpc/sync.push`, { agent, headers, body })).status,
    close: () => agent.destroy(),
  };
}
