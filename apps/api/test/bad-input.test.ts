import { AlertManager, createChannels } from '@foreman/alerting';
import { MAX_PRIORITY } from '@foreman/core';
import { tasks } from '@foreman/db';
import { createLogger } from '@foreman/logger';
import { startTestApi, type TestApi } from './test-api.js';

/** Each bad request: what is sent, and the status and error code it must get. */
interface BadRequest {
  what: string;
  key: 'admin' | 'alice' | 'none' | 'wrong';
  method?: string;
  path: string;
  body?: string;
  contentType?: string;
  status: number;
  code: string;
}

const email = (body: unknown) => JSON.stringify(body);

const CASES: BadRequest[] = [
  { what: 'no key', key: 'none', path: '/tasks', status: 401, code: 'UNAUTHENTICATED' },
  { what: 'unknown key', key: 'wrong', path: '/tasks', status: 401, code: 'UNAUTHENTICATED' },
  {
    what: 'submit without key',
    key: 'none',
    method: 'POST',
    path: '/tasks/maintenance.health_check',
    body: '{}',
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    what: 'malformed JSON payload',
    key: 'alice',
    method: 'POST',
    path: '/tasks/email.send_email',
    body: '{"to": [',
    status: 400,
    code: 'JSON_MALFORMED',
  },
  {
    what: 'malformed JSON bulk',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: '{"tasks": [',
    status: 400,
    code: 'JSON_MALFORMED',
  },
  {
    what: 'bulk body sent as a form (curl -d without a content type)',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: '{"tasks": []}',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    what: 'payload of wrong types',
    key: 'alice',
    method: 'POST',
    path: '/tasks/email.send_email',
    body: email({ to: 'a@b.test', subject: 1, text: [] }),
    status: 400,
    code: 'PAYLOAD_INVALID',
  },
  {
    what: 'unknown payload field (strict contract)',
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check',
    body: email({ extra: 1 }),
    status: 400,
    code: 'PAYLOAD_INVALID',
  },
  {
    what: 'payload that is an array',
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check',
    body: '[1]',
    status: 400,
    code: 'BODY_INVALID',
  },
  {
    what: 'unknown task',
    key: 'alice',
    method: 'POST',
    path: '/tasks/no.such_task',
    body: '{}',
    status: 404,
    code: 'TASK_UNKNOWN',
  },
  {
    what: "priority one above BullMQ's maximum",
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check?priority=2097152',
    body: '{}',
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: "bulk priority one above BullMQ's maximum",
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: email({ tasks: [{ name: 'maintenance.health_check', priority: 2_097_152 }] }),
    status: 400,
    code: 'BODY_INVALID',
  },
  {
    what: 'bulk submit with a query parameter (options go in the body)',
    key: 'admin',
    method: 'POST',
    path: '/tasks?userId=zed',
    body: email({ tasks: [{ name: 'maintenance.health_check' }] }),
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'workflow with a query parameter',
    key: 'admin',
    method: 'POST',
    path: '/workflows?userId=zed',
    body: email({ name: 'w', nodes: [{ key: 'a', task: 'maintenance.health_check' }] }),
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'negative priority',
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check?priority=-4',
    body: '{}',
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'delay as text',
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check?delayMs=soon',
    body: '{}',
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'unknown submit option',
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check?colour=red',
    body: '{}',
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'submit for another user',
    key: 'alice',
    method: 'POST',
    path: '/tasks/maintenance.health_check?userId=bob',
    body: '{}',
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    what: 'body too large',
    key: 'alice',
    method: 'POST',
    path: '/tasks/email.send_email',
    body: email({ text: 'x'.repeat(5_000) }),
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    what: 'bulk with unknown field',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: email({ tasks: [{ name: 'maintenance.health_check' }], force: true }),
    status: 400,
    code: 'BODY_INVALID',
  },
  {
    what: 'bulk item with unknown field',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: email({ tasks: [{ name: 'maintenance.health_check', when: 'now' }] }),
    status: 400,
    code: 'BODY_INVALID',
  },
  {
    what: 'empty bulk',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: email({ tasks: [] }),
    status: 400,
    code: 'BODY_INVALID',
  },
  {
    what: 'bulk with one bad payload',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: email({
      tasks: [{ name: 'maintenance.health_check' }, { name: 'email.send_email', payload: { to: [] } }],
    }),
    status: 400,
    code: 'PAYLOAD_INVALID',
  },
  {
    what: 'bulk with one unknown task',
    key: 'alice',
    method: 'POST',
    path: '/tasks',
    body: email({ tasks: [{ name: 'maintenance.health_check' }, { name: 'no.such_task' }] }),
    status: 404,
    code: 'TASK_UNKNOWN',
  },
  {
    what: 'bad cursor',
    key: 'alice',
    path: '/tasks?cursor=not-a-cursor',
    status: 400,
    code: 'CURSOR_INVALID',
  },
  { what: 'huge limit', key: 'alice', path: '/tasks?limit=1000000', status: 400, code: 'QUERY_INVALID' },
  { what: 'limit of zero', key: 'alice', path: '/tasks?limit=0', status: 400, code: 'QUERY_INVALID' },
  {
    what: 'unknown status',
    key: 'alice',
    path: '/tasks?status=sleeping',
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'unknown list filter',
    key: 'alice',
    path: '/tasks?colour=red',
    status: 400,
    code: 'QUERY_INVALID',
  },
  { what: 'bad time range', key: 'alice', path: '/tasks?from=yesterday', status: 400, code: 'QUERY_INVALID' },
  {
    what: 'unknown task id',
    key: 'alice',
    path: '/tasks/does-not-exist',
    status: 404,
    code: 'TASK_NOT_FOUND',
  },
  {
    what: 'cancel unknown id',
    key: 'alice',
    method: 'POST',
    path: '/tasks/does-not-exist/cancel',
    status: 404,
    code: 'TASK_NOT_FOUND',
  },
  { what: 'unknown route', key: 'alice', path: '/nowhere', status: 404, code: 'ROUTE_NOT_FOUND' },
  {
    what: 'pause a queue without admin',
    key: 'alice',
    method: 'POST',
    path: '/queues/maintenance/pause',
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    what: 'pause an unknown queue',
    key: 'admin',
    method: 'POST',
    path: '/queues/nope/pause',
    status: 404,
    code: 'QUEUE_NOT_FOUND',
  },
  {
    what: 'clean with unknown state',
    key: 'admin',
    method: 'POST',
    path: '/queues/maintenance/clean',
    body: email({ status: 'everything' }),
    status: 400,
    code: 'BODY_INVALID',
  },
  { what: 'workers without admin', key: 'alice', path: '/workers', status: 403, code: 'FORBIDDEN' },
  {
    what: 'create a key without admin',
    key: 'alice',
    method: 'POST',
    path: '/keys',
    body: email({ userId: 'mallory', admin: true }),
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    what: 'create a key with unknown field',
    key: 'admin',
    method: 'POST',
    path: '/keys',
    body: email({ userId: 'x', root: true }),
    status: 400,
    code: 'BODY_INVALID',
  },
  {
    what: 'revoke an unknown key',
    key: 'admin',
    method: 'DELETE',
    path: '/keys/nope',
    status: 404,
    code: 'KEY_NOT_FOUND',
  },
  {
    what: 'dead letters with a bad filter',
    key: 'alice',
    path: '/dead-letters?replayed=maybe',
    status: 400,
    code: 'QUERY_INVALID',
  },
  {
    what: 'replay an unknown dead letter',
    key: 'alice',
    method: 'POST',
    path: '/dead-letters/nope/replay',
    status: 404,
    code: 'DEAD_LETTER_NOT_FOUND',
  },
  {
    what: 'events with a forged Last-Event-ID',
    key: 'alice',
    path: '/events?lastEventId=forged',
    status: 400,
    code: 'EVENT_ID_INVALID',
  },
  {
    what: 'events for another user',
    key: 'alice',
    path: '/events?userId=bob',
    status: 403,
    code: 'FORBIDDEN',
  },
];

describe('bad input', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_bad');
  });
  afterAll(() => api.close());

  it('answers every bad request with a 4xx in the one error shape and writes nothing', async () => {
    const keys = {
      admin: api.adminKey,
      alice: api.aliceKey,
      none: undefined,
      wrong: 'fm_not-a-key-of-this-deployment',
    };
    const queued = async () => {
      let total = 0;
      for (const queue of api.client.registry.queues()) total += await api.client.queue(queue).count();
      return total;
    };
    const keysBefore = (await api.keys.list()).length;
    const answers = [];
    for (const bad of CASES) {
      const response = await api.call(keys[bad.key], bad.path, {
        method: bad.method ?? 'GET',
        ...(bad.body !== undefined ? { body: bad.body } : {}),
        ...(bad.contentType ? { headers: { 'content-type': bad.contentType } } : {}),
      });
      const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      answers.push({
        what: bad.what,
        status: response.status,
        code: body.error?.code,
        shape: Object.keys(body).join() === 'error' && typeof body.error?.message === 'string',
      });
    }
    expect(answers).toEqual(
      CASES.map((bad) => ({ what: bad.what, status: bad.status, code: bad.code, shape: true })),
    );
    expect(await queued()).toBe(0);
    await api.projected();
    expect(await api.testDb.database.db.$count(tasks)).toBe(0);
    expect((await api.keys.list()).length).toBe(keysBefore);
  });

  it('names each invalid field of a payload', async () => {
    const response = await api.call(api.aliceKey, '/tasks/email.send_email', {
      method: 'POST',
      body: email({ to: ['nope'], subject: '', text: 'x' }),
    });
    const details = ((await response.json()) as { error: { details: Array<{ path: string }> } }).error
      .details;
    expect(details.map((issue) => issue.path).sort()).toEqual(['subject', 'to.0']);
  });

  it('refuses U+0000 wherever it comes, naming the field, and stores nothing', async () => {
    const alerts = new AlertManager({
      db: api.testDb.database.db,
      redis: api.redis.redis,
      prefix: api.redis.prefix,
      logger: createLogger('api', { level: 'silent' }),
      channels: createChannels({}, createLogger('api', { level: 'silent' })),
    });
    const app = api.replica({ alerts, maxBodyBytes: 8_192 });
    const nul = '\u0000';
    const cases: Array<{
      key: string;
      method?: string;
      path: string;
      body?: unknown;
      code: string;
      field: string;
    }> = [
      {
        key: api.aliceKey,
        method: 'POST',
        path: '/tasks/ai.complete_prompt',
        body: { prompt: `hi${nul}there` },
        code: 'PAYLOAD_INVALID',
        field: 'prompt',
      },
      {
        key: api.aliceKey,
        method: 'POST',
        path: '/tasks/email.send_email',
        body: { to: ['a@b.test'], subject: 's', text: 't', [`x${nul}`]: 1 },
        code: 'PAYLOAD_INVALID',
        field: 'x\\u0000',
      },
      {
        key: api.aliceKey,
        method: 'POST',
        path: '/tasks',
        body: {
          tasks: [
            { name: 'ai.complete_prompt', payload: { prompt: 'fine' } },
            { name: 'ai.complete_prompt', payload: { prompt: `hidden${nul}` } },
          ],
        },
        code: 'PAYLOAD_INVALID',
        field: 'tasks.1.payload.prompt',
      },
      { key: api.aliceKey, path: '/tasks?name=a%00b', code: 'QUERY_INVALID', field: 'name' },
      { key: api.aliceKey, path: '/tasks/%00', code: 'PARAM_INVALID', field: 'id' },
      { key: api.aliceKey, method: 'POST', path: '/tasks/%00/cancel', code: 'PARAM_INVALID', field: 'id' },
      { key: api.aliceKey, path: '/dead-letters?name=%00', code: 'QUERY_INVALID', field: 'name' },
      {
        key: api.aliceKey,
        method: 'POST',
        path: '/schedules',
        body: { id: 'nightly', task: 'maintenance.health_check', everyMs: 60_000, description: `d${nul}` },
        code: 'BODY_INVALID',
        field: 'description',
      },
      { key: api.aliceKey, path: '/schedules/%00', code: 'PARAM_INVALID', field: 'id' },
      {
        key: api.aliceKey,
        method: 'POST',
        path: '/workflows',
        body: { name: `w${nul}`, nodes: [{ key: 'a', task: 'maintenance.health_check' }] },
        code: 'BODY_INVALID',
        field: 'name',
      },
      { key: api.aliceKey, path: '/workflows/%00', code: 'PARAM_INVALID', field: 'id' },
      {
        key: api.adminKey,
        method: 'POST',
        path: '/keys',
        body: { userId: `z${nul}` },
        code: 'BODY_INVALID',
        field: 'userId',
      },
      {
        key: api.adminKey,
        method: 'POST',
        path: '/alert-rules',
        body: { id: `r${nul}`, kind: 'queue_depth', queue: 'maintenance', threshold: 1, severity: 'warning' },
        code: 'BODY_INVALID',
        field: 'id',
      },
      {
        key: api.adminKey,
        method: 'PUT',
        path: '/alert-rules/r1',
        body: { kind: 'queue_depth', queue: `m${nul}`, threshold: 1, severity: 'warning' },
        code: 'BODY_INVALID',
        field: 'queue',
      },
    ];
    const keysBefore = (await api.keys.list()).length;
    const answers = [];
    for (const bad of cases) {
      const response = await app.request(bad.path, {
        method: bad.method ?? 'GET',
        headers: { authorization: `Bearer ${bad.key}`, 'content-type': 'application/json' },
        ...(bad.body === undefined ? {} : { body: JSON.stringify(bad.body) }),
      });
      const body = (await response.json()) as { error: { code: string; details?: Array<{ path: string }> } };
      answers.push({
        path: bad.path,
        status: response.status,
        code: body.error.code,
        field: body.error.details?.[0]?.path,
      });
    }
    expect(answers).toEqual(
      cases.map((bad) => ({ path: bad.path, status: 400, code: bad.code, field: bad.field })),
    );
    // Whatever reaches the database anyway is refused there as the caller's error, not a 500.
    const alert = await app.request('/alerts/%00', { headers: { authorization: `Bearer ${api.adminKey}` } });
    expect(alert.status).toBe(400);
    await api.projected();
    expect(await api.testDb.database.db.$count(tasks)).toBe(0);
    expect((await api.keys.list()).length).toBe(keysBefore);
    expect(api.records.stats.quarantined).toBe(0);
  });

  it("queues a task at BullMQ's highest priority, the bound the api announces", async () => {
    const response = await api.call(
      api.aliceKey,
      `/tasks/maintenance.health_check?priority=${MAX_PRIORITY}`,
      {
        method: 'POST',
        body: '{}',
      },
    );
    expect(response.status).toBe(202);
    const { taskId } = (await response.json()) as { taskId: string };
    expect((await api.client.findJob(taskId)).opts.priority).toBe(2_097_151);
  });
});
