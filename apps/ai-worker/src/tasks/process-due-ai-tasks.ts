import { ai } from '@foreman/contracts';
import { SYSTEM_SUBMITTER, type TaskClient } from '@foreman/core/producer';
import { implementTask } from '@foreman/core/task';
import { aiTasks, and, asc, type Db, eq, lte } from '@foreman/db';

export interface ProcessDueAiTasksDeps {
  db: Db;
  client: Pick<TaskClient, 'submit'>;
}

/**
 * Submits one ai.run_ai_task per due user task. The task id is derived from the user task and its
 * due time, so a retry (or an overlapping run) of this task never queues the same run twice.
 */
export function processDueAiTasksTask({ db, client }: ProcessDueAiTasksDeps) {
  return implementTask(ai.processDueAiTasks, async ({ limit }, context) => {
    const due = await db
      .select({ id: aiTasks.id, userId: aiTasks.userId, nextRunAt: aiTasks.nextRunAt })
      .from(aiTasks)
      .where(and(eq(aiTasks.enabled, true), lte(aiTasks.nextRunAt, new Date())))
      .orderBy(asc(aiTasks.nextRunAt))
      .limit(limit);
    const submitted: string[] = [];
    for (const [index, row] of due.entries()) {
      context.signal.throwIfAborted();
      const dueAt = row.nextRunAt as Date;
      const { taskId } = await client.submit(
        ai.runAiTask.name,
        { aiTaskId: row.id, dueAt: dueAt.toISOString() },
        // This system task submits each run for its user, on the user's own row.
        { userId: row.userId, submitter: SYSTEM_SUBMITTER, taskId: `ai-run-${row.id}-${dueAt.getTime()}` },
      );
      submitted.push(taskId);
      await context.progress(((index + 1) / due.length) * 100, `${index + 1} of ${due.length} submitted`);
    }
    return { due: due.length, submitted };
  });
}
