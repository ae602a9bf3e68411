import { type CliSystem, startCliSystem } from './harness.js';

describe('foreman keys', () => {
  let system: CliSystem;
  let onDatabase: Record<string, string>;
  beforeAll(async () => {
    system = await startCliSystem('cli_keys');
    // The operator's environment for bootstrapping: the database, no api key at all.
    onDatabase = {
      DATABASE_URL: system.testDb.url,
      DATABASE_SCHEMA: system.testDb.schema,
      FOREMAN_API_KEY: '',
    };
  }, 90_000);
  afterAll(() => system.stop());

  const asKey = (key: string) => ({ env: { FOREMAN_API_KEY: key } });

  it('on the database: create prints the secret once, the key works, revoke shuts it out', async () => {
    const [json, table] = await Promise.all([
      system.cli(['keys', 'create', '--user', 'dave', '--name', 'laptop', '--json'], { env: onDatabase }),
      system.cli(['keys', 'create', '--user', 'erin', '--admin'], { env: onDatabase }),
    ]);
    expect(json.code).toBe(0);
    const dave = json.json<{ id: string; userId: string; admin: boolean; label: string; key: string }>();
    expect(dave).toEqual({
      id: expect.any(String),
      userId: 'dave',
      admin: false,
      label: 'laptop',
      key: expect.stringMatching(/^fm_/),
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^id +\S+\nuser +erin\nadmin +yes\nkey +fm_\S+\n$/);
    expect(table.stderr).toContain('not shown again');
    const erinKey = /^key +(\S+)$/m.exec(table.stdout)?.[1] as string;

    // Only the hash is stored.
    const stored = system.testDb.database.driver;
    if (stored.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const rows = await stored.pool.query(`select key_hash, prefix from "${system.testDb.schema}".api_keys`);
    expect(JSON.stringify(rows.rows)).not.toContain(dave.key);

    // The new keys work on the api: dave sees his own tasks, erin is an admin.
    const submitted = await system.cli(['submit', 'maintenance.health_check', '--json'], asKey(dave.key));
    expect(submitted.code).toBe(0);
    const listed = await system.cli(['list', '--json'], asKey(dave.key));
    expect(listed.json<{ tasks: Array<{ userId: string }> }>().tasks.map((task) => task.userId)).toEqual([
      'dave',
    ]);
    expect((await system.cli(['workers', 'ping', '--json'], asKey(erinKey))).code).toBe(0);
    expect((await system.cli(['workers', 'ping', '--json'], asKey(dave.key))).code).toBe(3);

    const [keysJson, keysTable] = await Promise.all([
      system.cli(['keys', 'list', '--json'], { env: onDatabase }),
      system.cli(['keys'], { env: onDatabase }),
    ]);
    const keys = keysJson.json<{
      keys: Array<{ id: string; userId: string; prefix: string; revokedAt: null }>;
    }>().keys;
    expect(keys.find((key) => key.id === dave.id)).toEqual(
      expect.objectContaining({ userId: 'dave', prefix: dave.key.slice(0, 9), revokedAt: null }),
    );
    expect(keysTable.stdout.split('\n')[0]).toMatch(/^ID +PREFIX +USER +ADMIN +LABEL +CREATED +REVOKED$/);
    expect(keysTable.stdout).toMatch(
      new RegExp(`^${dave.id} +${dave.key.slice(0, 9)}… +dave +no +laptop +\\S+ \\S+Z +-$`, 'm'),
    );
    for (const output of [keysJson.stdout, keysTable.stdout]) {
      expect(output).not.toContain(dave.key);
      expect(output).not.toContain(erinKey);
    }

    const revoked = await system.cli(['keys', 'revoke', dave.id], { env: onDatabase });
    expect(revoked.stdout).toBe(`revoked ${dave.id}\n`);
    const shutOut = await system.cli(['list', '--json'], asKey(dave.key));
    expect(shutOut.code).toBe(3);
    expect(shutOut.error().code).toBe('UNAUTHENTICATED');
    const again = await system.cli(['keys', 'revoke', dave.id, '--json'], { env: onDatabase });
    expect(again.code).toBe(4);
    expect(again.error().code).toBe('KEY_NOT_FOUND');
  });

  it('through the api with an admin key: create, list, revoke; ordinary keys may not', async () => {
    const created = await system.cli(['keys', 'create', '--user', 'frank', '--json']);
    expect(created.code).toBe(0);
    const frank = created.json<{ id: string; key: string; userId: string }>();
    expect(frank.userId).toBe('frank');
    expect((await system.cli(['list'], asKey(frank.key))).code).toBe(0);

    const listed = await system.cli(['keys', 'list', '--json']);
    expect(listed.json<{ keys: Array<{ id: string }> }>().keys.map((key) => key.id)).toContain(frank.id);
    expect(listed.stdout).not.toContain(frank.key);
    const forbidden = await system.cli(['keys', 'list', '--json'], asKey(frank.key));
    expect(forbidden.code).toBe(3);
    expect(forbidden.error().code).toBe('FORBIDDEN');

    // --api wins over DATABASE_URL.
    const revoked = await system.cli(['keys', 'revoke', frank.id, '--api', '--json'], {
      env: { ...onDatabase, FOREMAN_API_KEY: system.adminKey },
    });
    expect(revoked.json()).toEqual({ id: frank.id, revoked: true });
    expect((await system.cli(['list'], asKey(frank.key))).code).toBe(3);
    const missing = await system.cli(['keys', 'revoke', 'no-such-key']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('foreman: KEY_NOT_FOUND: No live key with id "no-such-key"\n');
  });

  it('says what is wrong with the database or the arguments', async () => {
    const [notMigrated, unreachable, badUrl, noUser] = await Promise.all([
      system.cli(['keys', 'list', '--json'], { env: { ...onDatabase, DATABASE_SCHEMA: 'no_such_schema' } }),
      system.cli(['keys', 'list', '--json', '--database-url', 'postgres://postgres@127.0.0.1:9/test']),
      system.cli(['keys', 'list', '--database-url', 'mysql://x']),
      system.cli(['keys', 'create'], { env: onDatabase }),
    ]);
    expect(notMigrated.code).toBe(1);
    expect(notMigrated.error().code).toBe('DATABASE_NOT_MIGRATED');
    expect(unreachable.code).toBe(5);
    expect(unreachable.error().code).toBe('DATABASE_UNREACHABLE');
    expect(badUrl.code).toBe(2);
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain("required option '--user <id>' not specified");
  });
});
