import { maintenance } from '@foreman/contracts';
import { implementTask, NonRetryableError, type TaskWorker } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

interface Letter {
  taskId: string;
  userId: string;
  replayedAs: string | null;
}

describe('dead letters', () => {
  let api: TestApi;
  let worker: TaskWorker;
  beforeAll(async () => {
    api = await startTestApi('api_dead');
    worker = await startTestWorker(api, 'maintenance', [
      implementTask(maintenance.healthCheck, () => {
        throw new NonRetryableError('the check cannot work here');
      }),
    ]);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const letters = async (key: string, query = '') =>
    ((await (await api.call(key, `/dead-letters${query}`)).json()) as { deadLetters: Letter[] }).deadLetters;

  it('lists a user’s dead letters, hides them from others, and replays each once', async () => {
    const submitted = await api.call(api.aliceKey, '/tasks/maintenance.health_check', {
      method: 'POST',
      body: '{}',
    });
    const { taskId } = (await submitted.json()) as { taskId: string };
    await waitFor(async () => ((await letters(api.aliceKey)).length > 0 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'dead letter',
    });
    expect(await letters(api.aliceKey)).toEqual([
      expect.objectContaining({ taskId, userId: 'alice', replayedAs: null }),
    ]);
    expect(await letters(api.bobKey)).toEqual([]);
    expect((await api.call(api.bobKey, `/dead-letters/${taskId}`)).status).toBe(404);
    expect((await api.call(api.bobKey, `/dead-letters/${taskId}/replay`, { method: 'POST' })).status).toBe(
      404,
    );
    expect((await api.call(api.adminKey, `/dead-letters/${taskId}`)).status).toBe(200);

    const replay = await api.call(api.aliceKey, `/dead-letters/${taskId}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    const replayed = (await replay.json()) as { taskId: string; replayOf: string };
    expect(replayed.replayOf).toBe(taskId);
    const again = await api.call(api.aliceKey, `/dead-letters/${taskId}/replay`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await letters(api.aliceKey, '?replayed=true')).toEqual([
      expect.objectContaining({ taskId, replayedAs: replayed.taskId }),
    ]);
    // The replay fails too; bulk replay of bob's letters touches none of alice's.
    await waitFor(
      async () => ((await letters(api.aliceKey, '?replayed=false')).length > 0 ? true : undefined),
      {
        timeoutMs: 30_000,
        what: 'the replay to die',
      },
    );
    const bobBulk = await api.call(api.bobKey, '/dead-letters/replay', { method: 'POST', body: '{}' });
    expect(await bobBulk.json()).toEqual({ replayed: [], failed: [] });
    const aliceBulk = await api.call(api.aliceKey, '/dead-letters/replay', { method: 'POST', body: '{}' });
    const bulk = (await aliceBulk.json()) as { replayed: Array<{ taskId: string }> };
    expect(bulk.replayed).toHaveLength(1);
  });
});
