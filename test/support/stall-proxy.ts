import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a real server whose traffic can be stalled: while stalled, bytes in both
 * directions are held (connections stay open, nothing is answered), as on a network that blackholes
 * packets; resume() delivers what was held, in order.
 */
export class StallProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly held: Array<() => void> = [];
  stalled = false;
  port = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.upstreamPort, this.upstreamHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (chunk) => {
          const send = () => void (to.destroyed || to.write(chunk));
          if (this.stalled) this.held.push(send);
          else send();
        });
      forward(client, upstream);
      forward(upstream, client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const send of this.held.splice(0)) send();
  }

  async stop(): Promise<void> {
    this.resume();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
