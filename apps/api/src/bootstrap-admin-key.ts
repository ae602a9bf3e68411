import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiKeyStore, and, apiKeys, type Database, eq, isNull } from '@foreman/db';
import type { Logger } from '@foreman/logger';

/**
 * Makes sure an operator can get in: accepts `ADMIN_API_KEY` when set; otherwise, on a deployment
 * without any live admin key, creates one and writes it to a file readable by its owner only.
 * The key itself is never logged.
 */
export async function bootstrapAdminKey(options: {
  keys: ApiKeyStore;
  database: Database;
  logger: Logger;
  adminKey: string | undefined;
  dataDir: string;
}): Promise<void> {
  const { keys, database, logger } = options;
  if (options.adminKey) {
    await keys.ensure({ userId: 'admin', admin: true, label: 'ADMIN_API_KEY', key: options.adminKey });
    return;
  }
  const admins = await database.db.$count(apiKeys, and(eq(apiKeys.admin, true), isNull(apiKeys.revokedAt)));
  if (admins > 0) return;
  const created = await keys.create({ userId: 'admin', admin: true, label: 'bootstrap' });
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'admin-key');
  writeFileSync(file, `${created.key}\n`, { mode: 0o600 });
  logger.warn({ file }, 'no admin api key existed: created one and wrote it to this file');
}
