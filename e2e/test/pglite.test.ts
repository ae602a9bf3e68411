import { createDatabase, type EmbeddedServer, startEmbeddedServer, tasks } from '@foreman/db';
import { describeRecordFlow } from './record-flow.js';
import { startSystem } from './system.js';

describe('api -> queue -> worker -> embedded PGlite', () => {
  let server: EmbeddedServer;
  let reader: ReturnType<typeof createDatabase>;
  afterAll(async () => {
    await reader?.close();
    await server?.stop();
  });

  describeRecordFlow(async () => {
    server = await startEmbeddedServer({ dataDir: 'memory://', port: 0 });
    reader = createDatabase({ url: server.url, poolSize: 1 });
    const system = await startSystem({ url: server.url, schema: 'public' });
    return { system, countRecords: () => reader.db.$count(tasks) };
  });
});
