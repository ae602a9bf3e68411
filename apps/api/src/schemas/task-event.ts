import { TASK_EVENT_TYPES, type TaskEvent } from '@foreman/core';
import { z } from '@hono/zod-openapi';

/**
 * The data of one `GET /events` server-sent event: a core `TaskEvent` with its resume position.
 * The stream itself is not JSON, so no route returns this schema; it is in the OpenAPI document as
 * a component, from which `@foreman/api-client` takes its `TaskEvent` type.
 */
export const taskEventSchema = z
  .object({
    type: z.enum(TASK_EVENT_TYPES),
    taskId: z.string(),
    taskName: z.string(),
    queue: z.string(),
    userId: z.string().optional(),
    workflowId: z.string().optional().openapi({ description: 'The workflow run the task is a node of' }),
    at: z.string().openapi({ description: 'ISO time the event happened' }),
    attempt: z.number().int().optional(),
    percent: z.number().optional().openapi({ description: '`progress` events: 0 to 100' }),
    message: z
      .string()
      .optional()
      .openapi({ description: 'A progress note, or with `output` the text written since the previous one' }),
    error: z.string().optional().openapi({ description: '`failed` and `retrying` events' }),
    id: z.string().openapi({ description: "The event's resume position (Last-Event-ID)" }),
  })
  .strict()
  .openapi('TaskEvent') satisfies z.ZodType<TaskEvent & { id: string }>;

/** Every field of core's `TaskEvent` is in the schema: a field added there fails to compile here. */
export type TaskEventFieldsCovered =
  Exclude<keyof TaskEvent, keyof z.output<typeof taskEventSchema>> extends never ? true : never;
const covered: TaskEventFieldsCovered = true;
void covered;
