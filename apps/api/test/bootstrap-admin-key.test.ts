import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { bootstrapAdminKey } from '../src/bootstrap-admin-key.js';

describe('bootstrapAdminKey', () => {
  let testDb: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    testDb = await createTestDatabase('api_bootstrap');
    dataDir = mkdtempSync(join(tmpdir(), 'foreman-bootstrap-'));
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await testDb.drop();
  });

  it('creates one admin key on a fresh deployment, writes it owner-only, and never logs it', async () => {
    const keys = new ApiKeyStore(testDb.database.db);
    const lines: string[] = [];
    const logger = createLogger('api', { destination: { write: (line: string) => lines.push(line) } });
    const options = { keys, database: testDb.database, logger, adminKey: undefined, dataDir };
    await bootstrapAdminKey(options);
    await bootstrapAdminKey(options);
    const file = join(dataDir, 'admin-key');
    const key = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await keys.verify(key)).toMatchObject({ userId: 'admin', admin: true });
    expect((await keys.list()).filter((row) => row.admin)).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines.join()).not.toContain(key);
  });

  it('accepts ADMIN_API_KEY when given', async () => {
    const keys = new ApiKeyStore(testDb.database.db);
    const adminKey = 'fm_operator-chosen-admin-key-0123456789';
    await bootstrapAdminKey({
      keys,
      database: testDb.database,
      logger: createLogger('api', { level: 'silent' }),
      adminKey,
      dataDir,
    });
    expect(await keys.verify(adminKey)).toMatchObject({ userId: 'admin', admin: true });
  });
});
