import { ChatCompletionError } from '@foreman/ai-client';
import { ai } from '@foreman/contracts';
import {
  implementTask,
  NonRetryableError,
  stripNul,
  type TaskEventPublisher,
  TaskParkedError,
} from '@foreman/core/task';
import { type AiTaskRow, aiTasks, and, type Db, eq } from '@foreman/db';
import { AiBudgetExceededError } from '../agent/ai-budget-exceeded-error.js';
import type { AiRunner, AiRunResult } from '../agent/ai-run.js';
import { AiRunError } from '../agent/ai-run-error.js';
import { OutputBatcher } from '../agent/output-batcher.js';

export interface RunAiTaskDeps {
  db: Db;
  runner: AiRunner;
  /** Where a streaming task's text goes, as `output` task events. */
  events: Pick<TaskEventPublisher, 'append'>;
  /** Least time between two `output` events of one task. */
  outputIntervalMs: number;
  /** Longest wait before a task that keeps failing is tried again. */
  maxBackoffMinutes: number;
}

const MINUTE = 60_000;

/**
 * Runs one due user task. Every write is conditional on the due time the run was submitted for, so
 * a retried or duplicated run changes nothing once the task has moved on.
 */
export function runAiTaskTask({ db, runner, events, outputIntervalMs, maxBackoffMinutes }: RunAiTaskDeps) {
  return implementTask(ai.runAiTask, async ({ aiTaskId, dueAt }, context) => {
    const [row] = await db.select().from(aiTasks).where(eq(aiTasks.id, aiTaskId));
    if (!row) throw new NonRetryableError(`AI task ${aiTaskId} does not exist`);
    const due = new Date(dueAt);
    const skipped = {
      aiTaskId,
      ran: false,
      answer: null,
      promptTokens: 0,
      completionTokens: 0,
      steps: 0,
      toolCalls: 0,
      nextRunAt: row.nextRunAt?.toISOString() ?? null,
    };
    if (!row.enabled || row.nextRunAt?.getTime() !== due.getTime()) return skipped;
    const stillDue = and(eq(aiTasks.id, aiTaskId), eq(aiTasks.nextRunAt, due));

    const output = row.stream
      ? new OutputBatcher(
          (message) =>
            events.append({
              type: 'output',
              taskId: context.taskId,
              taskName: context.taskName,
              queue: context.queue,
              userId: context.userId,
              attempt: context.attempt,
              message,
            }),
          outputIntervalMs,
        )
      : undefined;
    let answer: AiRunResult;
    try {
      answer = await runner.run({
        taskId: context.taskId,
        userId: row.userId,
        messages: [
          ...(row.system ? [{ role: 'system' as const, content: row.system }] : []),
          { role: 'user', content: row.prompt },
        ],
        tools: row.tools,
        model: row.model ?? undefined,
        signal: context.signal,
        onText: output && ((text) => output.write(text)),
      });
      // Before the task completes, so its `completed` event follows the last of its text.
      await output?.flush();
    } catch (error) {
      // The attempt's own failure is what matters; its text so far is sent as far as it can be.
      await output?.flush().catch(() => {});
      // Parked (waiting for approval): it runs again when woken, nothing failed.
      if (context.signal.aborted || error instanceof TaskParkedError) throw error;
      const retryable =
        !(error instanceof AiRunError || error instanceof AiBudgetExceededError) &&
        (!(error instanceof ChatCompletionError) || error.retryable);
      // Only the last attempt writes the failure: earlier ones leave the task due for the retry.
      if (!retryable || context.attempt >= context.maxAttempts) {
        const nextRunAt = new Date(Date.now() + backoffMs(row, maxBackoffMinutes));
        await db
          .update(aiTasks)
          .set({
            lastError: stripNul((error as Error).message),
            lastRunAt: new Date(),
            consecutiveFailures: row.consecutiveFailures + 1,
            nextRunAt,
            updatedAt: new Date(),
          })
          .where(stillDue);
      }
      if (!retryable) throw new NonRetryableError((error as Error).message, { cause: error });
      throw error;
    }

    const now = Date.now();
    const nextRunAt = row.intervalMinutes ? new Date(now + row.intervalMinutes * MINUTE) : null;
    await db
      .update(aiTasks)
      .set({
        // A model may answer U+0000, which PostgreSQL cannot store: it is stripped (docs/delivery.md).
        lastResult: stripNul(answer.answer),
        lastModel: stripNul(answer.model),
        lastError: null,
        promptTokens: answer.promptTokens,
        completionTokens: answer.completionTokens,
        consecutiveFailures: 0,
        lastRunAt: new Date(now),
        nextRunAt,
        enabled: nextRunAt !== null,
        updatedAt: new Date(now),
      })
      .where(stillDue);
    return {
      aiTaskId,
      ran: true,
      answer: answer.answer,
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      steps: answer.steps,
      toolCalls: answer.toolCalls,
      nextRunAt: nextRunAt?.toISOString() ?? null,
    };
  });
}

/** Doubles the usual interval (five minutes for one-off tasks) with each failure in a row. */
function backoffMs(row: AiTaskRow, maxBackoffMinutes: number): number {
  const base = Math.max(row.intervalMinutes ?? 5, 5);
  return Math.min(base * 2 ** row.consecutiveFailures, maxBackoffMinutes) * MINUTE;
}
