import { allSchedules as declaredSchedules } from '@foreman/contracts';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { Queue } from 'bullmq';
import { applySchedules } from '../src/schedules/apply-schedules.js';

describe('applySchedules', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis('beat');
  });
  afterAll(() => redis.cleanup());

  it('registers each declared schedule once, however often beat starts', async () => {
    await applySchedules(declaredSchedules, { connection: redis.redis, prefix: redis.prefix });
    await applySchedules(declaredSchedules, { connection: redis.redis, prefix: redis.prefix });
    const queue = new Queue('maintenance', { connection: redis.redis, prefix: redis.prefix });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toEqual(['maintenance.health_check.every-5m']);
    expect(await queue.count()).toBe(1);
    await queue.close();
  });

  it('refuses a schedule whose payload breaks its contract', async () => {
    const [first] = declaredSchedules;
    await expect(
      applySchedules([{ ...first!, payload: { unexpected: true } }], {
        connection: redis.redis,
        prefix: redis.prefix,
      }),
    ).rejects.toThrow(/Invalid payload/);
  });
});
