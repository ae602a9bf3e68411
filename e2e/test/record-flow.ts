import { waitFor } from '@foreman/core/testing';
import type { RunningSystem } from './system.js';

interface TaskRecord {
  id: string;
  status: string;
  result: unknown;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  waitMs: number | null;
}

async function submit(system: RunningSystem, name: string, body: string) {
  const response = await system.api(`/tasks/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The behaviour every deployment must show, whichever database is behind it. */
export function describeRecordFlow(
  start: () => Promise<{ system: RunningSystem; countRecords: () => Promise<number> }>,
) {
  let system: RunningSystem;
  let countRecords: () => Promise<number>;
  beforeAll(async () => {
    ({ system, countRecords } = await start());
  });
  afterAll(() => system?.stop());

  const completed = (taskId: string) =>
    waitFor(
      async () => {
        const response = await system.api(`/tasks/${taskId}`);
        const record = (await response.json()) as TaskRecord;
        return record.status === 'completed' ? record : undefined;
      },
      { timeoutMs: 45_000, what: `task ${taskId} to complete` },
    );

  it('takes a task over HTTP and the worker process completes it with result and timings', async () => {
    const accepted = await submit(system, 'maintenance.health_check', '{}');
    expect(accepted.status).toBe(202);
    const record = await completed(accepted.body.taskId as string);
    expect(record.attempts).toBe(1);
    expect(record.result).toMatchObject({ redisMs: expect.any(Number), databaseMs: expect.any(Number) });
    expect(Date.parse(record.startedAt!)).toBeGreaterThanOrEqual(Date.parse(record.createdAt));
    expect(Date.parse(record.completedAt!)).toBeGreaterThanOrEqual(Date.parse(record.startedAt!));
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(record.waitMs).toBeGreaterThanOrEqual(0);
  });

  it('routes each task to its own worker', async () => {
    const target = `${system.baseUrl}/health`;
    const accepted = await submit(system, 'sync.fetch_url', JSON.stringify({ url: target }));
    const record = await completed(accepted.body.taskId as string);
    expect(record.result).toMatchObject({ status: 200, notModified: false });
  });

  it('refuses a bad payload, an unknown task and an oversized body, enqueuing and writing nothing', async () => {
    const queuedBefore = await system.queued();
    // The earlier tests read their tasks over the api, which may answer from the queue before the
    // projector has stored the rows: count once the table has settled.
    let recordsBefore = -1;
    await waitFor(
      async () => {
        const count = await countRecords();
        if (count === recordsBefore) return true;
        recordsBefore = count;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return undefined;
      },
      { timeoutMs: 20_000, what: 'the record count to settle' },
    );
    const badPayload = await submit(system, 'sync.fetch_url', JSON.stringify({ url: 'ftp://nope' }));
    expect(badPayload.status).toBe(400);
    expect(badPayload.body).toMatchObject({ error: { code: 'PAYLOAD_INVALID', details: [{ path: 'url' }] } });
    const unknown = await submit(system, 'nobody.knows', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'TASK_UNKNOWN' } });
    const oversized = await submit(
      system,
      'sync.fetch_url',
      JSON.stringify({ url: `http://x.test/${'a'.repeat(5_000)}` }),
    );
    expect(oversized.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await system.queued()).toBe(queuedBefore);
    expect(await countRecords()).toBe(recordsBefore);
  });

  it('refuses requests without a live api key', async () => {
    const anonymous = await fetch(`${system.baseUrl}/tasks/maintenance.health_check`, {
      method: 'POST',
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect((await system.api('/me')).status).toBe(200);
  });
}
