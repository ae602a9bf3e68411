import type { z } from 'zod';
import { AlertRuleInvalidError } from '../errors/alert-rule-invalid-error.js';

/** Parses with a schema, turning zod issues into one typed error that names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AlertRuleInvalidError(
      `Invalid ${what}`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}
