import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedServer {
  /** postgres:// URL that other processes of the system connect to. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves one embedded PGlite database over the PostgreSQL wire protocol on loopback, so the
 * several processes of a local deployment share it without installing PostgreSQL.
 */
export async function startEmbeddedServer(options: {
  dataDir: string;
  port: number;
}): Promise<EmbeddedServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port, maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
