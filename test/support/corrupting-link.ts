import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay that rewrites the first `times` occurrences of `find` in what
 * the server sends back with `replace` (the same length, so HTTP framing
 * holds): a way to put malformed events on a real stream.
 */
export async function corruptingLink(target: { port: number }, rule: { find: string; replace: string; times: number }) {
  if (rule.find.length !== rule.replace.length) throw new Error('the replacement must keep the length');
  let left = rule.times;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      let text = chunk.toString('latin1');
      while (left > 0 && text.includes(rule.find)) {
        text = text.replace(rule.find, rule.replace);
        left -= 1;
      }
      client.write(Buffer.from(text, 'latin1'));
    });
    for (const socket of [client, upstream]) {
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get corrupted() {
      return rule.times - left;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
