import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones, as an unreachable server would. */
  cut(): void;
  /**
   * Keeps connections open (and accepts new ones) but holds every byte, as a hung server or a
   * black-holed network would; `restore` delivers what was held.
   */
  stall(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `target` that a test can cut, stall and restore. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let isCut = false;
  let held: Array<() => void> | undefined;
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (held) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      isCut = true;
      for (const socket of sockets) socket.destroy();
    },
    stall() {
      held ??= [];
    },
    restore() {
      isCut = false;
      const release = held ?? [];
      held = undefined;
      for (const write of release) write();
    },
    close() {
      isCut = true;
      held = undefined;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
