import { findNul, MAX_MISFIRE_CAP, NUL_MESSAGE } from '@foreman/core';
import { MISFIRE_POLICIES, OVERLAP_POLICIES } from '@foreman/db';
import { z } from 'zod';
import { ScheduleInputError } from './errors/schedule-input-error.js';

/** Schedule ids are part of their runs' task ids (`<id>-<occurrence ms>`); no ":" nor spaces. */
const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const fields = {
  cron: z.string().min(1).nullish(),
  timezone: z.string().min(1).optional(),
  everyMs: z.number().int().nullish(),
  description: z.string().max(1_000).optional(),
  enabled: z.boolean().optional(),
  overlapPolicy: z.enum(OVERLAP_POLICIES).optional(),
  misfirePolicy: z.enum(MISFIRE_POLICIES).optional(),
  misfireCap: z.number().int().min(1).max(MAX_MISFIRE_CAP).optional(),
};

/** What creating a schedule takes; timing is checked further by `validateTiming`. */
export const createScheduleInput = z
  .object({
    id: z.string().regex(SCHEDULE_ID, 'letters, digits, ".", "_" and "-", at most 200'),
    task: z.string().min(1),
    payload: z.unknown().default({}),
    ...fields,
  })
  .strict();
export type CreateScheduleInput = z.input<typeof createScheduleInput>;

/** A partial change; giving `cron` turns an interval schedule into a cron one and vice versa. */
export const updateScheduleInput = z
  .object({ task: z.string().min(1).optional(), payload: z.unknown().optional(), ...fields })
  .strict();
export type UpdateScheduleInput = z.input<typeof updateScheduleInput>;

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    // The payload is checked with its contract; ids and descriptions here (the CLI does not pass
    // through the api's checks).
    const nul = findNul(parsed.data);
    if (nul !== undefined) throw new ScheduleInputError([{ path: nul, message: NUL_MESSAGE }]);
    return parsed.data;
  }
  throw new ScheduleInputError(
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}
