import { tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { describeRecordFlow } from './record-flow.js';
import { startSystem } from './system.js';

describe('api -> queue -> worker -> PostgreSQL', () => {
  let testDb: TestDatabase;
  afterAll(() => testDb?.drop());

  describeRecordFlow(async () => {
    testDb = await createTestDatabase('e2e');
    const system = await startSystem({ url: testDb.url, schema: testDb.schema });
    return { system, countRecords: () => testDb.database.db.$count(tasks) };
  });
});
