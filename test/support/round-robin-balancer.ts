import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP load balancer on 127.0.0.1 in front of several server nodes, as a
 * layer-7 balancer without affinity is: each request (a push, a pull, a
 * stream ticket, a live stream) goes to the next node in turn, and to the
 * one after it when a node refuses the connection (stopped, or restarting).
 * A node that dies mid-request cuts the client's connection, as it would
 * without a balancer; nothing is retried here.
 */
export class RoundRobinBalancer {
  readonly #server: Server;
  readonly #ports: readonly number[];
  #next = 0;
  url = '';
  port = 0;

  private constructor(ports: readonly number[]) {
    this.#ports = ports;
    this.#server = createServer((req, res) => this.#forward(req, res, this.#next++ % ports.length, 0));
  }

  static async open(ports: readonly number[]): Promise<RoundRobinBalancer> {
    const balancer = new RoundRobinBalancer(ports);
    await new Promise<void>((resolve) => balancer.#server.listen(0, '127.0.0.1', resolve));
    balancer.port = (balancer.#server.address() as AddressInfo).port;
    balancer.url = `http://127.0.0.1:${balancer.port}`;
    return balancer;
  }

  #forward(req: IncomingMessage, res: ServerResponse, index: number, tried: number) {
    if (tried === this.#ports.length) return void res.destroy();
    const port = this.#ports[index % this.#ports.length];
    let answered = false;
    const upstream = request(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers, agent: false },
      (answer) => {
        answered = true;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      // Refused before anything was sent: the node is down, so the request goes to the next one.
      if (!answered && error.code === 'ECONNREFUSED') return this.#forward(req, res, index + 1, tried + 1);
      res.destroy();
    });
    res.once('close', () => upstream.destroy());
    // The body is read once, so a request that may go to another node is held until one accepts its connection.
    upstream.once('socket', (socket) => socket.once('connect', () => req.pipe(upstream)));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
