import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy to a local port whose connections can be cut, as a network would. */
export async function tcpProxy(port: number) {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let held: Socket[] | undefined;
  const forward = (client: Socket) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  };
  const server: Server = createServer((client) => {
    accepted += 1;
    if (held) held.push(client);
    else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${own}`,
    connections: () => accepted,
    /** Cuts every connection; new ones wait (their requests unanswered) until `release`. */
    dropConnections: () => {
      held = [];
      for (const socket of sockets) socket.destroy();
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const client of waiting) forward(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
