import { startTestApi, type TestApi } from './test-api.js';

describe('POST /tasks with flow options', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('flow-options');
  });
  afterAll(() => api.close());

  const submitOne = (query: string, payload: unknown) =>
    api.call(api.aliceKey, `/tasks/file.checksum_file?${query}`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
  const submitBody = (tasks: unknown[]) =>
    api.call(api.aliceKey, '/tasks', { method: 'POST', body: JSON.stringify({ tasks }) });

  it('collapses debounced submits into the first task', async () => {
    const answers = [];
    for (let n = 0; n < 3; n += 1) {
      const response = await submitOne('debounceKey=path&debounceWindowMs=60000', { path: '/a' });
      expect(response.status).toBe(202);
      answers.push((await response.json()) as { taskId: string; deduplicated?: boolean });
    }
    expect(new Set(answers.map((answer) => answer.taskId)).size).toBe(1);
    expect(answers.map((answer) => answer.deduplicated ?? false)).toEqual([false, true, true]);
  });

  it('returns the holder of a singleton key, from the body form too', async () => {
    const task = { name: 'file.checksum_file', payload: { path: '/single' }, singleton: { key: 'path' } };
    const first = (await (await submitBody([task])).json()) as { tasks: Array<{ taskId: string }> };
    const second = await submitBody([task]);
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({
      tasks: [{ taskId: first.tasks[0]!.taskId, deduplicated: true }],
    });
  });

  it('refuses a webhook outside the allow-list and bad flow options with a 400', async () => {
    const refused = await submitOne(`webhook=${encodeURIComponent('https://evil.example.com/hook')}`, {
      path: '/x',
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'WEBHOOK_URL_REFUSED' } });
    const noWindow = await submitOne('debounceKey=path', { path: '/x' });
    expect(noWindow.status).toBe(400);
    expect(await noWindow.json()).toMatchObject({ error: { code: 'SUBMIT_OPTIONS_INVALID' } });
    const task = {
      name: 'file.checksum_file',
      payload: { path: '/y' },
      debounce: { key: 'path', windowMs: 1000 },
    };
    const many = await submitBody([task, task]);
    expect(many.status).toBe(400);
    expect(await many.json()).toMatchObject({ error: { code: 'SUBMIT_OPTIONS_INVALID' } });
    const badLink = await submitBody([
      { name: 'file.checksum_file', payload: { path: '/z' }, link: [{ name: 'no.such_task', payload: {} }] },
    ]);
    expect(badLink.status).toBe(404);
  });
});
