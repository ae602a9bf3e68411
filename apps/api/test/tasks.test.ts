import { waitFor } from '@foreman/core/testing';
import { eq, tasks } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

interface TaskJson {
  id: string;
  status: string;
  userId: string | null;
  name: string;
}
interface Page {
  tasks: TaskJson[];
  nextCursor: string | null;
}

describe('tasks api', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_tasks');
  });
  afterAll(() => api.close());

  const submit = async (key: string, name = 'maintenance.health_check', query = '') => {
    const response = await api.call(key, `/tasks/${name}${query}`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const recorded = (id: string) =>
    waitFor(async () => {
      await api.records.flush();
      const [row] = await api.testDb.database.db.select().from(tasks).where(eq(tasks.id, id));
      return row;
    });

  it('submits as the key’s user and reads the record back with progress', async () => {
    const id = await submit(api.aliceKey);
    await recorded(id);
    const response = await api.call(api.aliceKey, `/tasks/${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id,
      userId: 'alice',
      status: 'pending',
      progress: null,
    });
  });

  it('hides other users’ tasks behind 404 and shows admins everything', async () => {
    const id = await submit(api.aliceKey);
    await recorded(id);
    for (const [path, init] of [
      [`/tasks/${id}`, {}],
      [`/tasks/${id}/cancel`, { method: 'POST' }],
      [`/tasks/${id}/retry`, { method: 'POST' }],
    ] as const) {
      const response = await api.call(api.bobKey, path, init);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 404,
        body: { error: { code: 'TASK_NOT_FOUND', message: `No task with id "${id}"` } },
      });
    }
    const bobList = (await (await api.call(api.bobKey, '/tasks')).json()) as Page;
    expect(bobList.tasks.map((task) => task.id)).not.toContain(id);
    expect((await api.call(api.adminKey, `/tasks/${id}`)).status).toBe(200);
    const asAlice = (await (await api.call(api.adminKey, '/tasks?userId=alice&limit=200')).json()) as Page;
    expect(asAlice.tasks.every((task) => task.userId === 'alice')).toBe(true);
    expect(asAlice.tasks.map((task) => task.id)).toContain(id);
    const forbidden = await api.call(api.bobKey, '/tasks?userId=alice');
    expect(forbidden.status).toBe(403);
  });

  it('lists with filters and walks every page with the cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await submit(api.bobKey));
    await Promise.all(ids.map(recorded));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/tasks?limit=3&name=maintenance.health_check${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api.call(api.bobKey, query)).json()) as Page;
      expect(page.tasks.length).toBeLessThanOrEqual(3);
      seen.push(...page.tasks.map((task) => task.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...ids].sort());

    const pending = (await (await api.call(api.bobKey, '/tasks/pending?limit=200')).json()) as Page;
    expect(pending.tasks.map((task) => task.id).sort()).toEqual([...ids].sort());
    const failed = (await (await api.call(api.bobKey, '/tasks/failed')).json()) as Page;
    expect(failed.tasks).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = (await (await api.call(api.bobKey, `/tasks?from=${future}`)).json()) as Page;
    expect(none.tasks).toEqual([]);
    const past = (await (
      await api.call(api.bobKey, `/tasks?to=${future}&status=pending&limit=200`)
    ).json()) as Page;
    expect(past.tasks).toHaveLength(ids.length);
  });

  it('submits a batch all or nothing', async () => {
    const good = await api.call(api.aliceKey, '/tasks', {
      method: 'POST',
      body: JSON.stringify({
        tasks: [{ name: 'maintenance.health_check' }, { name: 'maintenance.health_check', priority: 3 }],
      }),
    });
    expect(good.status).toBe(202);
    const { tasks: submitted } = (await good.json()) as { tasks: Array<{ taskId: string; status: string }> };
    expect(submitted).toHaveLength(2);
    const rows = await Promise.all(submitted.map((task) => recorded(task.taskId)));
    expect(rows.map((row) => row.userId)).toEqual(['alice', 'alice']);
  });

  it('cancels a waiting task once, and refuses to retry it: it left its queue', async () => {
    const id = await submit(api.aliceKey, 'maintenance.health_check', '?delayMs=60000');
    await recorded(id);
    const cancelled = await api.call(api.aliceKey, `/tasks/${id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toEqual({ taskId: id, status: 'cancelled', was: 'delayed' });
    expect(await api.client.queue('maintenance').getJob(id)).toBeUndefined();
    await waitFor(async () => ((await recorded(id)).status === 'cancelled' ? true : undefined));
    const again = await api.call(api.aliceKey, `/tasks/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('TASK_STATE_CONFLICT');
    // A task cancelled while waiting left its queue: nothing to run again.
    const retried = await api.call(api.aliceKey, `/tasks/${id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(409);
    const running = await submit(api.aliceKey);
    const notRetryable = await api.call(api.aliceKey, `/tasks/${running}/retry`, { method: 'POST' });
    expect(notRetryable.status).toBe(409);
  });
});
