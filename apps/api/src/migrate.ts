// One-shot schema migration, run before a rollout (compose `migrate` service, Kubernetes Job) so
// that replicas start against an up-to-date schema. Apps also migrate at start under a lock.
import { join } from 'node:path';
import { baseEnvSchema, loadConfig } from '@foreman/config';
import { migrate, openDatabase } from '@foreman/db';
import { createLogger } from '@foreman/logger';

const config = loadConfig(baseEnvSchema);
const logger = createLogger('migrate', { level: config.LOG_LEVEL });
const database = await openDatabase({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  dataDir: join(config.DATA_DIR, 'api', 'pglite'),
});
try {
  await migrate(database);
  logger.info({ schema: config.DATABASE_SCHEMA, database: database.kind }, 'migrations applied');
} finally {
  await database.close();
}
