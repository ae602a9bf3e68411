import type { z } from 'zod';
import { PayloadValidationError } from '../errors/payload-validation-error.js';
import { findNul, NUL_MESSAGE } from '../records/nul.js';
import type { TaskContract } from './define-task.js';

/**
 * Parses a payload against its contract; the error lists every bad field by path. A payload the
 * database could not record (U+0000 anywhere) is refused here, on every path that submits.
 */
export function validatePayload<C extends TaskContract>(
  contract: C,
  payload: unknown,
): z.output<C['payload']> {
  const context = { taskName: contract.name, queue: contract.queue };
  const parsed = contract.payload.safeParse(payload);
  if (!parsed.success) {
    throw new PayloadValidationError(
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
      context,
    );
  }
  const nul = findNul(parsed.data);
  if (nul !== undefined) throw new PayloadValidationError([{ path: nul, message: NUL_MESSAGE }], context);
  return parsed.data as z.output<C['payload']>;
}
