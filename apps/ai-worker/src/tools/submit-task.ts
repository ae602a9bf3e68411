import {
  PayloadValidationError,
  type TaskClient,
  TaskError,
  type TaskRegistry,
  userSubmitter,
} from '@foreman/core/producer';
import type { SubmitQuota } from '@foreman/core/worker';
import { z } from 'zod';
import { defineTool } from './ai-tool.js';
import { ToolError } from './tool-error.js';

export interface SubmitTaskToolDeps {
  client: Pick<TaskClient, 'submit'>;
  /** The tasks there are; the model may submit those users may (not `audience: 'system'`). */
  registry: TaskRegistry;
  /** The per-user submit quota the api counts into; none when the deployment sets none. */
  quota?: SubmitQuota | undefined;
}

/**
 * Submits another task for the run's user, as that user (not an admin): the client checks the
 * payload against the task's contract and that it names only the user's own data, and the submit
 * counts against the user's quota as one from the api does.
 */
export function submitTaskTool({ client, registry, quota }: SubmitTaskToolDeps) {
  const names = registry
    .list()
    .filter((contract) => contract.audience === 'user')
    .map((contract) => contract.name);
  return defineTool({
    name: 'submit_task',
    description:
      'Submits a background task for the user; payload must match the task type (see GET /task-types). Returns its task id.',
    touches: [{ resource: 'task_queue', access: 'write' }],
    input: z
      .object({
        task: z.enum(names as [string, ...string[]]),
        payload: z.record(z.string(), z.unknown()),
      })
      .strict(),
    output: z.object({ taskId: z.string(), deduplicated: z.boolean() }),
    async run({ task, payload }, { userId, stepKey }) {
      const submit = () =>
        client.submit(task, payload, {
          userId,
          submitter: userSubmitter(userId, false),
          // A retry of this step finds the task it submitted instead of submitting it again.
          idempotencyKey: stepKey,
        });
      try {
        const submitted = await (quota ? quota.around(userId, 1, submit) : submit());
        // The first submit was counted already.
        if (submitted.deduplicated && quota) await quota.refund(userId, 1);
        return { taskId: submitted.taskId, deduplicated: submitted.deduplicated ?? false };
      } catch (error) {
        if (error instanceof PayloadValidationError) {
          throw new ToolError('INVALID_ARGUMENTS', error.message, 'submit_task', error.issues);
        }
        if (error instanceof TaskError) throw new ToolError('REFUSED', error.message, 'submit_task');
        throw error;
      }
    },
  });
}
