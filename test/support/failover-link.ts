import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP balancer on 127.0.0.1 in front of several server nodes, as a load
 * balancer with health checks would be: each new connection goes to the
 * first node in `ports` that accepts it, so when a node dies the devices
 * behind this link reach the next one as soon as they reconnect.
 */
export class FailoverLink {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  url = '';
  port = 0;

  private constructor(ports: readonly number[]) {
    this.#server = createServer((client) => {
      this.#track(client);
      client.pause();
      this.#connectTo(ports, 0, client);
    });
  }

  static async open(ports: readonly number[]): Promise<FailoverLink> {
    const link = new FailoverLink(ports);
    await new Promise<void>((resolve) => link.#server.listen(0, '127.0.0.1', resolve));
    link.port = (link.#server.address() as AddressInfo).port;
    link.url = `http://127.0.0.1:${link.port}`;
    return link;
  }

  #connectTo(ports: readonly number[], index: number, client: Socket) {
    const port = ports[index];
    if (port === undefined || client.destroyed) return client.destroy();
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    upstream.on('error', () => {
      // Refused: this node is down, try the next. Once connected, an error ends both sides.
      if (connected) client.destroy();
      else this.#connectTo(ports, index + 1, client);
    });
    upstream.once('connect', () => {
      connected = true;
      this.#track(upstream);
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  #track(socket: Socket) {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  async close() {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
