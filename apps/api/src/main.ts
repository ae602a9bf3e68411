import { startApiServer } from './server.js';

const server = await startApiServer();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
