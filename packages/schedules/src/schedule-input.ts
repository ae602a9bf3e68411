import { z } from 'zod';
import { ScheduleInputError } from './errors/schedule-input-error.js';

/** Ids double as BullMQ job scheduler ids, which may not contain ":". */
const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const timing = {
  cron: z.string().min(1).nullish(),
  timezone: z.string().min(1).optional(),
  everyMs: z.number().int().nullish(),
  description: z.string().max(1_000).optional(),
  enabled: z.boolean().optional(),
};

/** What creating a schedule takes; timing is checked further by `validateTiming`. */
export const createScheduleInput = z
  .object({
    id: z.string().regex(SCHEDULE_ID, 'letters, digits, ".", "_" and "-", at most 200'),
    task: z.string().min(1),
    payload: z.unknown().default({}),
    ...timing,
  })
  .strict();
export type CreateScheduleInput = z.input<typeof createScheduleInput>;

/** A partial change; giving `cron` turns an interval schedule into a cron one and vice versa. */
export const updateScheduleInput = z
  .object({ task: z.string().min(1).optional(), payload: z.unknown().optional(), ...timing })
  .strict();
export type UpdateScheduleInput = z.input<typeof updateScheduleInput>;

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ScheduleInputError(
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}
