import { z } from 'zod';
import { defineTask } from './define-task.js';

describe('defineTask', () => {
  it('fills in defaults', () => {
    const task = defineTask({ name: 'demo.echo', queue: 'demo', payload: z.object({}) });
    expect(task.retry.attempts).toBe(3);
    expect(task.priority).toBe(0);
    expect(task.timeoutMs).toBe(300_000);
    expect(Object.isFrozen(task)).toBe(true);
  });

  it('merges a partial retry policy', () => {
    const task = defineTask({
      name: 'demo.echo',
      queue: 'demo',
      payload: z.object({}),
      retry: { attempts: 7 },
    });
    expect(task.retry).toMatchObject({ attempts: 7, backoff: 'exponential', delayMs: 1_000 });
  });

  it.each([
    [{ name: 'Bad Name' }, /Task name/],
    [{ queue: 'Q!' }, /Queue name/],
    [{ retry: { attempts: 0 } }, /attempts/],
    [{ retry: { jitter: 2 } }, /jitter/],
    [{ priority: -1 }, /priority/],
    [{ priority: 1.5 }, /priority/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ timeoutMs: 100, softTimeoutMs: 100 }, /softTimeoutMs/],
    [{ audience: 'everyone' as 'user' }, /audience/],
    [{ audience: 'system' as const, ownedBy: () => undefined }, /ownedBy/],
  ])('rejects %j', (override, message) => {
    expect(() =>
      defineTask({ name: 'demo.echo', queue: 'demo', payload: z.object({}), ...override }),
    ).toThrow(message);
  });
});
