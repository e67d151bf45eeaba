import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A device's network link: a TCP relay on 127.0.0.1 in front of the server
 * that can be unplugged (every connection cut, new ones refused) and plugged
 * back in. Real sockets; nothing is simulated above TCP.
 */
export class TcpLink {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #online = true;
  url = '';

  private constructor(server: Server) {
    this.#server = server;
  }

  static async open(target: { port: number }): Promise<TcpLink> {
    const link: TcpLink = new TcpLink(
      createServer((client) => {
        if (!link.#online) return client.destroy();
        const upstream = connect(target.port, '127.0.0.1');
        for (const [from, to] of [
          [client, upstream],
          [upstream, client],
        ] as const) {
          link.#sockets.add(from);
          from.on('error', () => to.destroy());
          from.on('close', () => {
            link.#sockets.delete(from);
            to.destroy();
          });
          from.pipe(to);
        }
      }),
    );
    await new Promise<void>((resolve) => link.#server.listen(0, '127.0.0.1', resolve));
    link.url = `http://127.0.0.1:${(link.#server.address() as AddressInfo).port}`;
    return link;
  }

  get online() {
    return this.#online;
  }

  unplug() {
    this.#online = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  plug() {
    this.#online = true;
  }

  async close() {
    this.unplug();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
