import { z } from 'zod';
import { DuplicateTaskError } from '../errors/duplicate-task-error.js';
import { PayloadValidationError } from '../errors/payload-validation-error.js';
import { UnknownTaskError } from '../errors/unknown-task-error.js';
import { defineTask } from './define-task.js';
import { TaskRegistry } from './task-registry.js';
import { validatePayload } from './validate-payload.js';

const send = defineTask({
  name: 'mail.send',
  queue: 'mail',
  payload: z.object({ to: z.email(), tags: z.array(z.string()).default([]) }),
});
const resize = defineTask({
  name: 'img.resize',
  queue: 'images',
  payload: z.object({ width: z.number().int() }),
});

describe('TaskRegistry', () => {
  const registry = new TaskRegistry([send, resize]);

  it('routes a task name to its queue', () => {
    expect(registry.route('mail.send')).toBe('mail');
    expect(registry.route('img.resize')).toBe('images');
    expect(registry.queues()).toEqual(['images', 'mail']);
  });

  it('names the unknown task', () => {
    expect(() => registry.route('nope')).toThrow(UnknownTaskError);
    expect(() => registry.get('nope')).toThrow(/"nope"/);
  });

  it('refuses two contracts with one name', () => {
    expect(() => new TaskRegistry([send, send])).toThrow(DuplicateTaskError);
  });

  it('describes payloads as JSON Schema', () => {
    const [image] = registry.describe();
    expect(image).toMatchObject({ name: 'img.resize', queue: 'images', maxAttempts: 3 });
    expect(image?.payloadSchema).toMatchObject({ properties: { width: { type: 'integer' } } });
  });
});

describe('validatePayload', () => {
  it('returns the parsed payload with defaults', () => {
    expect(validatePayload(send, { to: 'a@example.com' })).toEqual({ to: 'a@example.com', tags: [] });
  });

  it('lists every bad field by path', () => {
    let error: PayloadValidationError | undefined;
    try {
      validatePayload(send, { to: 'not-an-address', tags: [1] });
    } catch (caught) {
      error = caught as PayloadValidationError;
    }
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(error?.issues.map((issue) => issue.path).sort()).toEqual(['tags.0', 'to']);
    expect(error?.code).toBe('PAYLOAD_INVALID');
  });
});
