import { ApiKeyStore, apiKeys, hashApiKey } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('ApiKeyStore', () => {
  let testDb: TestDatabase;
  let store: ApiKeyStore;

  beforeAll(async () => {
    testDb = await createTestDatabase('api_keys');
    store = new ApiKeyStore(testDb.database.db);
  });
  afterAll(() => testDb.drop());

  it('stores only a hash and verifies the key until it is revoked', async () => {
    const created = await store.create({ userId: 'alice', label: 'laptop' });
    expect(created.key).toMatch(/^fm_[A-Za-z0-9_-]{43}$/);
    const rows = await testDb.database.db.select().from(apiKeys);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(rows[0]?.keyHash).toBe(hashApiKey(created.key));

    expect(await store.verify(created.key)).toEqual({ id: created.id, userId: 'alice', admin: false });
    expect(await store.verify(`${created.key}x`)).toBeUndefined();
    expect(await store.revoke(created.id)).toBe(true);
    expect(await store.revoke(created.id)).toBe(false);
    expect(await store.verify(created.key)).toBeUndefined();
  });

  it('ensures an operator-chosen key once', async () => {
    const key = 'fm_bootstrap-admin-key-for-tests';
    await store.ensure({ userId: 'ops', admin: true, label: 'bootstrap', key });
    await store.ensure({ userId: 'ops', admin: true, label: 'bootstrap', key });
    const listed = (await store.list()).filter((row) => row.label === 'bootstrap');
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('keyHash');
    expect(await store.verify(key)).toMatchObject({ userId: 'ops', admin: true });
  });
});
