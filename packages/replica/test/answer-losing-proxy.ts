import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AnswerLosingProxy = {
  url: string;
  /** Loses the answer to the next push: the server takes it, the device hears nothing and its connection stays open. Resolves once the server answered. */
  loseNextPushAnswer(): Promise<void>;
  /** Holds every push's answer `ms` before passing it on (0: none), as a slow link would. */
  slowPushAnswers(ms: number): void;
  close(): Promise<void>;
};

/**
 * An HTTP proxy on 127.0.0.1 in front of `target` that passes every request
 * and answer through (live streams too), except the answers it is told to
 * lose or hold back: a network that dropped an answer midway without closing
 * the connection, or a slow one.
 */
export async function startAnswerLosingProxy(target: string): Promise<AnswerLosingProxy> {
  const upstream = new URL(target);
  const lost: ServerResponse[] = [];
  let losing: { resolve(): void; reject(error: Error): void } | undefined;
  let pushDelayMs = 0;
  const proxy = createServer((incoming, outgoing) => {
    const push = incoming.url?.startsWith('/trpc/sync.push') === true;
    const lose = push ? losing : undefined;
    if (lose) losing = undefined;
    const delay = push ? pushDelayMs : 0;
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        if (lose) {
          lost.push(outgoing);
          answer.resume().on('end', lose.resolve);
          return;
        }
        setTimeout(() => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        }, delay);
      },
    );
    forwarded.on('error', (error) => {
      lose?.reject(error);
      outgoing.destroy();
    });
    outgoing.on('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    loseNextPushAnswer: () => new Promise<void>((resolve, reject) => (losing = { resolve, reject })),
    slowPushAnswers: (ms) => (pushDelayMs = ms),
    close: async () => {
      for (const outgoing of lost) outgoing.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
