import { aiTasks, apiKeys, deadLetters } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import type { Runtime } from '../src/app/create-runtime.js';
import { ownerSubmitter } from '../src/client/owner-submitter.js';
import { SYSTEM_SUBMITTER, userSubmitter } from '../src/client/submitter.js';
import type { TaskClient } from '../src/client/task-client.js';
import { DeadLetterStore } from '../src/dead-letters/dead-letter-store.js';
import { TaskForbiddenError } from '../src/errors/task-forbidden-error.js';
import { EVERY_USER } from '../src/task/data-owner.js';
import { defineTask } from '../src/task/define-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, createTestRuntime, type TestRedis } from '../src/testing.js';

const purge = defineTask({
  name: 'authz.purge_everything',
  queue: 'authz',
  payload: z.object({}).strict(),
  audience: 'system',
});
const backup = defineTask({
  name: 'authz.backup',
  queue: 'authz',
  payload: z.object({ userId: z.string().optional() }).strict(),
  ownedBy: ({ userId }) => (userId === undefined ? EVERY_USER : { userId }),
});
const runAi = defineTask({
  name: 'authz.run_ai',
  queue: 'authz',
  payload: z.object({ aiTaskId: z.uuid() }).strict(),
  ownedBy: ({ aiTaskId }) => ({ table: 'ai_tasks', id: aiTaskId }),
});
const prompt = defineTask({ name: 'authz.prompt', queue: 'authz', payload: z.object({ text: z.string() }) });

const bob = userSubmitter('bob', false);
const admin = userSubmitter('root', true);

describe('who may submit what', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let runtime: Runtime;
  let client: TaskClient;
  let alicesAiTask: string;
  const queued = () => client.queue('authz').getJobCountByTypes('waiting', 'prioritized', 'delayed');

  beforeAll(async () => {
    redis = await createTestRedis('authorize');
    database = await createTestDatabase('authorize');
    runtime = await createTestRuntime({
      redis,
      database,
      registry: new TaskRegistry([purge, backup, runAi, prompt]),
      project: false,
    });
    client = runtime.client;
    const [row] = await database.database.db
      .insert(aiTasks)
      .values({ userId: 'alice', name: 'daily', prompt: 'hi' })
      .returning();
    alicesAiTask = row!.id;
  });
  afterAll(async () => {
    await runtime.stop();
    await redis.cleanup();
    await database.drop();
  });

  it('refuses a system task to a user, in a single and a bulk submit, and queues nothing', async () => {
    const before = await queued();
    await expect(client.submit(purge.name, {}, { userId: 'bob', submitter: bob })).rejects.toMatchObject({
      code: 'TASK_FORBIDDEN',
      message: expect.stringContaining('system task'),
    });
    await expect(
      client.submitBulk([
        { name: prompt.name, payload: { text: 'fine' }, options: { userId: 'bob', submitter: bob } },
        { name: purge.name, payload: {}, options: { userId: 'bob', submitter: bob } },
      ]),
    ).rejects.toThrow(TaskForbiddenError);
    expect(await queued()).toBe(before);
  });

  it('lets admins and the system run system tasks', async () => {
    await expect(client.submit(purge.name, {}, { userId: 'root', submitter: admin })).resolves.toBeDefined();
    await expect(client.submit(purge.name, {})).resolves.toBeDefined();
  });

  it("refuses a payload naming another user's data, or every user's; allows one's own", async () => {
    const asBob = { userId: 'bob', submitter: bob } as const;
    await expect(client.submit(backup.name, { userId: 'alice' }, asBob)).rejects.toThrow(TaskForbiddenError);
    await expect(client.submit(backup.name, {}, asBob)).rejects.toThrow("every user's data");
    await expect(client.submit(backup.name, { userId: 'bob' }, asBob)).resolves.toBeDefined();
    await expect(
      client.submit(backup.name, { userId: 'alice' }, { userId: 'root', submitter: admin }),
    ).resolves.toBeDefined();
  });

  it('looks up the owner of a row the payload names; a missing row is refused like a foreign one', async () => {
    const asBob = { userId: 'bob', submitter: bob } as const;
    const foreign = client.submit(runAi.name, { aiTaskId: alicesAiTask }, asBob).catch((error) => error);
    const missing = client
      .submit(runAi.name, { aiTaskId: '00000000-0000-4000-8000-000000000000' }, asBob)
      .catch((error) => error);
    expect(await foreign).toBeInstanceOf(TaskForbiddenError);
    // The same answer either way: the error does not tell whether the row exists.
    expect((await missing).message).toBe((await foreign).message);
    const alice = { userId: 'alice', submitter: userSubmitter('alice', false) };
    await expect(client.submit(runAi.name, { aiTaskId: alicesAiTask }, alice)).resolves.toBeDefined();
  });

  it('refuses a user acting for another user, and a user submit that names no submitter', async () => {
    await expect(
      client.submit(prompt.name, { text: 'x' }, { userId: 'alice', submitter: bob }),
    ).rejects.toThrow('only admins act for another user');
    await expect(
      client.submit(prompt.name, { text: 'x' }, { userId: 'bob' } as unknown as {
        userId: string;
        submitter: never;
      }),
    ).rejects.toThrow(TypeError);
  });

  it('checks retries and dead-letter replays against the one who asks', async () => {
    const { taskId } = await client.submit(purge.name, {}, { userId: 'bob', submitter: admin });
    // Refused before its state is even looked at (it is waiting, so an allowed retry would be a 409).
    await expect(client.retry(taskId, bob)).rejects.toThrow(TaskForbiddenError);
    const store = new DeadLetterStore({ db: database.database.db, client });
    await database.database.db.insert(deadLetters).values({
      taskId: 'dead-1',
      name: purge.name,
      queue: 'authz',
      userId: 'bob',
      payload: {},
      error: 'boom',
      attempts: 1,
      failedAt: new Date(),
    });
    await expect(store.replay('dead-1', bob)).rejects.toThrow(TaskForbiddenError);
    // Refused, it stays replayable, and an admin may replay it.
    await expect(store.replay('dead-1', admin)).resolves.toMatchObject({ name: purge.name });
  });

  it("runs stored schedules and workflows with their owner's current rights", async () => {
    const db = database.database.db;
    expect(await ownerSubmitter(db, null)).toBe(SYSTEM_SUBMITTER);
    expect(await ownerSubmitter(db, 'carol')).toEqual({ kind: 'user', userId: 'carol', admin: false });
    await db.insert(apiKeys).values({ id: 'k1', keyHash: 'h1', prefix: 'p', userId: 'carol', admin: true });
    expect(await ownerSubmitter(db, 'carol')).toEqual({ kind: 'user', userId: 'carol', admin: true });
  });
});
