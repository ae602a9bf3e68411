import { z } from 'zod';
import { defineTask } from '../src/task/define-task.js';

/** The task of the fairness process tests: sleeps `ms`. */
export const fairWork = defineTask({
  name: 'fair.work',
  queue: 'fair-test',
  payload: z.object({ ms: z.number().int().min(0) }),
});
