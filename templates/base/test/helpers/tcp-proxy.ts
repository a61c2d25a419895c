import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the server and its storage server, so a test can take the storage away and
 * give it back: cut() resets every open connection and every new one (as a database that went down
 * or a dropped network path looks to the server), silence() stops forwarding without a word (a path
 * that went dead with no reset, the case only the store's own timeouts can end), restore() forwards again.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<Socket>();
  private cut_ = false;
  private silent = false;

  private constructor(
    private readonly listener: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const listener = createServer();
    const proxy = await new Promise<TcpProxy>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => {
        const address = listener.address();
        if (address && typeof address === 'object') resolve(new TcpProxy(listener, address.port));
        else reject(new Error('the proxy has no port'));
      });
    });
    listener.on('connection', (client) => proxy.forward(client, target));
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  proxiedUrl(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  cut(): void {
    this.cut_ = true;
    for (const socket of this.sockets) reset(socket);
    this.sockets.clear();
  }

  silence(): void {
    this.silent = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  restore(): void {
    this.cut_ = false;
    this.silent = false;
  }

  async close(): Promise<void> {
    this.cut();
    for (const socket of this.held) socket.destroy();
    this.listener.close();
    await once(this.listener, 'close');
  }

  private forward(client: Socket, target: { host: string; port: number }): void {
    if (this.cut_) {
      reset(client);
      return;
    }
    if (this.silent) {
      this.held.add(client);
      client.on('error', () => {});
      return;
    }
    const upstream = createConnection(target);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}

/** Ends `socket` with a TCP RST where it is connected (what a crashed peer sends), else destroys it. */
function reset(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
