import { RateLimitedError } from '@foreman/core/task';
import { createSmtpTransport } from '@foreman/mail';
import { startTestSmtpServer, type TestSmtpServer } from '@foreman/mail/testing';
import { SMTP_PUSH_BACK_MS, sendEmailTask } from '../src/tasks/send-email.js';

const context = (taskId: string) => ({ taskId, signal: new AbortController().signal }) as never;

describe('email.send_email over real SMTP', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(() => smtp.close());

  const task = () =>
    sendEmailTask({
      transport: smtp.transport(),
      from: 'Foreman <foreman@example.test>',
    });

  it('delivers the message to the SMTP server', async () => {
    const result = await task().handler(
      { to: ['ada@example.test', 'bob@example.test'], subject: 'Weekly digest', text: 'Hello there' },
      context('task-1'),
    );
    expect(result.accepted.sort()).toEqual(['ada@example.test', 'bob@example.test']);
    expect(result.rejected).toEqual([]);
    const message = smtp.received.at(-1)!;
    expect(message.from).toBe('foreman@example.test');
    expect(message.to.sort()).toEqual(['ada@example.test', 'bob@example.test']);
    expect(message.raw).toContain('Subject: Weekly digest');
    expect(message.raw).toContain('X-Foreman-Task-ID: task-1');
    expect(message.raw).toContain('Hello there');
  });

  it('reports a recipient the server refuses', async () => {
    const result = await task().handler(
      { to: ['ok@example.test', 'nobody@refused.test'], subject: 's', text: 't' },
      context('task-2'),
    );
    expect(result.accepted).toEqual(['ok@example.test']);
    expect(result.rejected).toEqual(['nobody@refused.test']);
  });

  it('turns a 421 into a push-back', async () => {
    smtp.state.busy = true;
    try {
      const error = await Promise.resolve(
        task().handler({ to: ['ada@example.test'], subject: 's', text: 't' }, context('t4')),
      ).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toMatchObject({ retryAfterMs: SMTP_PUSH_BACK_MS, message: expect.stringMatching(/421/) });
    } finally {
      smtp.state.busy = false;
    }
  });

  it('fails when no SMTP server listens', async () => {
    const unreachable = sendEmailTask({
      transport: createSmtpTransport('smtp://127.0.0.1:1'),
      from: 'x@y.z',
    });
    await expect(
      unreachable.handler({ to: ['a@b.test'], subject: 's', text: 't' }, context('t3')),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
