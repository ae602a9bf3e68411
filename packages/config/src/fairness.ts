import { z } from 'zod';

/** Execution limits of one user on one queue; a missing field means "no limit". */
export const userLimitsSchema = z
  .object({
    /** Most tasks of the user admitted to run at once, across every worker replica. */
    concurrency: z.number().int().positive().optional(),
    /** Token bucket shared by every replica: `count` tasks per `intervalMs`, bursts of `burst`. */
    rate: z
      .object({
        count: z.number().int().positive(),
        intervalMs: z.number().int().positive(),
        burst: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type UserLimits = z.output<typeof userLimitsSchema>;

/** Fairness of one queue: per-user default limits and the size of BullMQ's ready window. */
export const queueFairnessSchema = userLimitsSchema
  .extend({
    /** Most admitted tasks waiting in BullMQ at once; small keeps round-robin real. */
    readyWindow: z.number().int().positive().default(10),
  })
  .strict();

export type QueueFairness = z.output<typeof queueFairnessSchema>;

/** Queue name -> its fairness; a queue absent here takes tasks first come, first served. */
export const fairnessSettingsSchema = z.record(z.string().min(1), queueFairnessSchema);

export type FairnessSettings = z.output<typeof fairnessSettingsSchema>;

/** The `FAIRNESS` variable: JSON such as `{"email":{"concurrency":2}}`. */
export const fairnessEnv = z
  .string()
  .default('{}')
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"email":{"concurrency":2}}' });
      return z.NEVER;
    }
  })
  .pipe(fairnessSettingsSchema);
