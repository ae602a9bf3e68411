// Runs the embedded database server of a local deployment until SIGINT/SIGTERM.
import { startEmbeddedServer } from '../embedded-server.js';

const dataDir = process.env.EMBEDDED_DB_DIR ?? '.data/pglite';
const port = Number(process.env.EMBEDDED_DB_PORT ?? 54329);
const server = await startEmbeddedServer({ dataDir, port });
process.stdout.write(
  `${JSON.stringify({ level: 30, msg: 'embedded database listening', url: server.url, dataDir })}\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
