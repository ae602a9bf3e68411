import { AlertNotFoundError } from '@foreman/alerting';
import { PayloadValidationError, QuotaExceededError, TaskError, TaskStateError } from '@foreman/core/task';
import { createLogger } from '@foreman/logger';
import { ScheduleExistsError, ScheduleLimitError, ScheduleNotFoundError } from '@foreman/schedules';
import { WorkflowNotFoundError } from '@foreman/workflows';
import { Hono } from 'hono';
import { ApiError } from './api-error.js';
import { errorHandler } from './error-handler.js';

/** The status and body an app answers when a route throws `error`. */
async function answer(error: Error) {
  const app = new Hono()
    .get('/', () => {
      throw error;
    })
    .onError(errorHandler(createLogger('test', { level: 'silent' })));
  const response = await app.request('/');
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

describe('the error handler', () => {
  it.each([
    [new ScheduleNotFoundError('daily'), 404, 'SCHEDULE_NOT_FOUND'],
    [new WorkflowNotFoundError('w1'), 404, 'WORKFLOW_NOT_FOUND'],
    [new ScheduleExistsError('daily'), 409, 'SCHEDULE_EXISTS'],
    [new ScheduleLimitError('daily', 'SCHEDULE_LIMIT_EXCEEDED', 'too many'), 403, 'SCHEDULE_LIMIT_EXCEEDED'],
    [new ScheduleLimitError('daily', 'SCHEDULE_TOO_FREQUENT', 'too often'), 400, 'SCHEDULE_TOO_FREQUENT'],
    [new TaskStateError('t1', 'retry', 'running'), 409, 'TASK_STATE_CONFLICT'],
    [new TaskError('SUBMIT_FAILED', 'discarded'), 503, 'SUBMIT_FAILED'],
    [new AlertNotFoundError('rule', 'r1'), 404, 'ALERT_RULE_NOT_FOUND'],
    [new ApiError('READ_TOKENS_DISABLED', 'off'), 404, 'READ_TOKENS_DISABLED'],
    [new Error('boom'), 500, 'INTERNAL'],
  ])('answers %s with its code’s status', async (error, status, code) => {
    const reply = await answer(error);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ error: { code } });
  });

  it('keeps the field-level issues of a payload error and the wait of a quota', async () => {
    const invalid = await answer(new PayloadValidationError([{ path: 'to', message: 'Required' }], {}));
    expect(invalid).toMatchObject({
      status: 400,
      body: { error: { code: 'PAYLOAD_INVALID', details: [{ path: 'to', message: 'Required' }] } },
    });
    const quota = await answer(
      new QuotaExceededError({ userId: 'u', limit: 1, windowMs: 60_000, used: 1, requested: 1 }, 42),
    );
    expect(quota.status).toBe(429);
    expect(quota.headers.get('retry-after')).toBe('42');
  });

  it('answers 500 for a task error whose code no package declares', async () => {
    const foreign = new TaskError('NOT_A_KNOWN_CODE' as 'SUBMIT_FAILED', 'from a newer worker');
    expect(await answer(foreign)).toMatchObject({
      status: 500,
      body: { error: { code: 'NOT_A_KNOWN_CODE' } },
    });
  });
});
