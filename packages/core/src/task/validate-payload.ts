import type { z } from 'zod';
import { PayloadValidationError } from '../errors/payload-validation-error.js';
import type { TaskContract } from './define-task.js';

/** Parses a payload against its contract; the error lists every bad field by path. */
export function validatePayload<C extends TaskContract>(
  contract: C,
  payload: unknown,
): z.output<C['payload']> {
  const parsed = contract.payload.safeParse(payload);
  if (parsed.success) return parsed.data as z.output<C['payload']>;
  throw new PayloadValidationError(
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    { taskName: contract.name, queue: contract.queue },
  );
}
