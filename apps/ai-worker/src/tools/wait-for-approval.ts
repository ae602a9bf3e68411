import { TaskParkedError } from '@foreman/core/task';
import { APPROVAL_DECISIONS, type ApprovalStore } from '@foreman/db';
import { z } from 'zod';
import { AiRunError } from '../agent/ai-run-error.js';
import { defineTool } from './ai-tool.js';

const DAY_SECONDS = 24 * 60 * 60;

export interface WaitForApprovalToolDeps {
  approvals: ApprovalStore;
}

/**
 * Asks the run's user a question and waits for their decision without holding a worker slot: the
 * step opens an approval and parks the task until its deadline. A signal
 * (`POST /tasks/:id/signal`) stores the decision and wakes the task, which replays its stored
 * steps up to this one and finds the decision, stored from then on as this step's output. No
 * decision by the deadline fails the task with APPROVAL_TIMED_OUT.
 */
export function waitForApprovalTool({ approvals }: WaitForApprovalToolDeps) {
  return defineTool({
    name: 'wait_for_approval',
    description:
      'Asks the user a question (e.g. "Send this reply?") and waits up to timeoutSeconds for them to approve or deny it. Returns the decision and their comment.',
    touches: [{ resource: 'ai_approvals', access: 'write' }],
    input: z
      .object({
        question: z.string().min(1).max(2_000),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(7 * DAY_SECONDS)
          .default(DAY_SECONDS),
      })
      .strict(),
    output: z.object({ decision: z.enum(APPROVAL_DECISIONS), comment: z.string().nullable() }),
    async run({ question, timeoutSeconds }, { userId, taskId, stepIndex }) {
      const { approval, token } = await approvals.open({
        taskId,
        stepIndex,
        userId,
        question,
        deadline: new Date(Date.now() + timeoutSeconds * 1000),
      });
      if (approval.decision) return { decision: approval.decision, comment: approval.comment };
      if (approval.deadline.getTime() <= Date.now()) {
        throw new AiRunError(
          'APPROVAL_TIMED_OUT',
          `no decision on "${question}" by ${approval.deadline.toISOString()}`,
          taskId,
          stepIndex,
        );
      }
      // The token goes to the record's progress message, which only the owner and admins read:
      // the same people who may signal.
      throw new TaskParkedError({
        untilMs: approval.deadline.getTime(),
        reason: `waiting for approval (token ${token}): ${question}`,
      });
    },
  });
}
