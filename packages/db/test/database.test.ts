import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import {
  createDatabase,
  emailClusterMembers,
  emailFeedback,
  inboundEmails,
  migrate,
  openDatabase,
  tasks,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const journal = JSON.parse(
  readFileSync(new URL('../drizzle/meta/_journal.json', import.meta.url), 'utf8'),
) as { entries: unknown[] };

const row = (id: string) => ({
  id,
  name: 'maintenance.health_check',
  queue: 'maintenance',
  status: 'pending' as const,
  createdAt: new Date(),
  payload: { deep: true },
});

describe('PostgreSQL', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('db');
  });
  afterAll(() => testDb.drop());

  it('migrates into its own schema and stores task records', async () => {
    const { db } = testDb.database;
    const id = crypto.randomUUID();
    await db.insert(tasks).values(row(id));
    const [stored] = await db.select().from(tasks).where(eq(tasks.id, id));
    expect(stored?.payload).toEqual({ deep: true });
    const location = await db.execute(
      sql`select table_schema from information_schema.tables where table_name = 'tasks' and table_schema = ${testDb.schema}`,
    );
    expect(location.rows).toHaveLength(1);
  });

  it("deletes a message's correction and cluster membership with it", async () => {
    const { db } = testDb.database;
    const [message] = await db
      .insert(inboundEmails)
      .values({ userId: 'ada', fromAddress: 'news@example.org', subject: 'Sale' })
      .returning({ id: inboundEmails.id });
    const emailId = message!.id;
    await db.insert(emailFeedback).values({ userId: 'ada', emailId, rejectedCategory: 'promotions' });
    await db.insert(emailClusterMembers).values({ userId: 'ada', emailId, clusterId: crypto.randomUUID() });
    await db.delete(inboundEmails).where(eq(inboundEmails.id, emailId));
    expect(await db.$count(emailFeedback, eq(emailFeedback.emailId, emailId))).toBe(0);
    expect(await db.$count(emailClusterMembers, eq(emailClusterMembers.emailId, emailId))).toBe(0);
  });

  it('lets several processes migrate at once', async () => {
    const others = [1, 2, 3].map(() =>
      createDatabase({ url: testDb.url, schema: testDb.schema, poolSize: 2 }),
    );
    await Promise.all(others.map((database) => migrate(database)));
    await Promise.all(others.map((database) => database.close()));
    const { rows } = await testDb.database.db.execute(
      sql`select count(*)::int as n from ${sql.identifier(testDb.schema)}.__migrations`,
    );
    // Each migration applied once, however many processes raced to apply it.
    expect(rows[0]).toEqual({ n: journal.entries.length });
  });

  it('rejects a status outside the lifecycle', async () => {
    await expect(
      testDb.database.db.insert(tasks).values({ ...row(crypto.randomUUID()), status: 'lost' as 'pending' }),
    ).rejects.toThrow();
  });

  it('measures a ping', async () => {
    expect(await testDb.database.ping()).toBeGreaterThan(0);
  });

  it('sets statement_timeout on every pooled connection (default 60 s, 0 for none)', async () => {
    const timeout = async (statementTimeoutMs?: number) => {
      const database = createDatabase({ url: testDb.url, schema: testDb.schema, statementTimeoutMs });
      try {
        return (await database.db.execute<{ statement_timeout: string }>(sql`show statement_timeout`))
          .rows[0];
      } finally {
        await database.close();
      }
    };
    expect(await timeout()).toEqual({ statement_timeout: '1min' });
    expect(await timeout(0)).toEqual({ statement_timeout: '0' });
    const short = createDatabase({ url: testDb.url, schema: testDb.schema, statementTimeoutMs: 100 });
    await expect(short.db.execute(sql`select pg_sleep(2)`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/statement timeout/) },
    });
    await short.close();
  });

  it('gives up connecting to a server that never answers after connectTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const database = createDatabase({ url: `postgres://x@127.0.0.1:${port}/test`, connectTimeoutMs: 300 });
    const started = performance.now();
    await expect(database.ping()).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/timeout/i) },
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    await database.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('refuses timeouts that are not integers in range', () => {
    expect(() => createDatabase({ url: testDb.url, connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/);
    expect(() => createDatabase({ url: testDb.url, statementTimeoutMs: -1 })).toThrow(/statementTimeoutMs/);
  });
});

describe('embedded PGlite', () => {
  it('migrates and stores task records without a server', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrate(database);
      const id = crypto.randomUUID();
      await database.db.insert(tasks).values(row(id));
      const [stored] = await database.db.select().from(tasks).where(eq(tasks.id, id));
      expect(stored?.status).toBe('pending');
      expect(database.kind).toBe('pglite');
    } finally {
      await database.close();
    }
  });

  it('rejects an unsafe schema name', async () => {
    await expect(openDatabase({ schema: 'x; drop table tasks' })).rejects.toThrow(/Invalid database schema/);
  });
});

describe('embedded server', () => {
  it('serves the migrated embedded database to pg clients', async () => {
    const { startEmbeddedServer } = await import('../src/embedded-server.js');
    // Port 0: a port picked at random could be taken by then (it did: EADDRINUSE in a full run).
    const server = await startEmbeddedServer({ dataDir: 'memory://', port: 0 });
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:[1-9]\d*\/postgres$/);
    const first = createDatabase({ url: server.url, poolSize: 2 });
    const second = createDatabase({ url: server.url, poolSize: 2 });
    try {
      const id = crypto.randomUUID();
      await first.db.insert(tasks).values(row(id));
      const [seen] = await second.db.select().from(tasks).where(eq(tasks.id, id));
      expect(seen?.name).toBe('maintenance.health_check');
    } finally {
      await first.close();
      await second.close();
      await server.stop();
    }
  });
});
