import { mkdirSync } from 'node:fs';
import { migrate } from './migrate.js';

export interface EmbeddedServer {
  /** postgres:// URL that other processes of the system connect to. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves one embedded PGlite database over the PostgreSQL wire protocol on loopback, so the
 * several processes of a local deployment share it without installing PostgreSQL. Migrations run
 * here, before anyone connects: PGlite has a single session, so clients cannot serialise
 * migrations among themselves with advisory locks.
 */
export async function startEmbeddedServer(options: {
  dataDir: string;
  /** 0: any free port (the url tells which). */
  port: number;
}): Promise<EmbeddedServer> {
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  // Loaded here: importing the package must not load PGlite into processes that never embed it.
  const [{ PGlite }, { PGLiteSocketServer }, { embeddedDatabase }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
    import('./embedded-database.js'),
  ]);
  const pglite = await PGlite.create(options.dataDir);
  await migrate(embeddedDatabase(pglite, 'public'));
  const server = new PGLiteSocketServer({
    db: pglite,
    host: '127.0.0.1',
    port: options.port,
    maxConnections: 128,
  });
  await server.start();
  return {
    // host:port as bound, so port 0 gives the port the system picked.
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}
