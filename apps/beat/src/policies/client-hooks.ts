import { type TaskClient, TaskNotFoundError } from '@foreman/core';
import type { PolicyBeatOptions } from './policy-beat.js';

const FINISHED = new Set(['completed', 'failed', 'unknown']);

/**
 * PolicyBeat's `fire` and `isRunning` on a TaskClient: each occurrence is one task whose id is
 * derived from the schedule and the occurrence, so a run is never submitted twice.
 */
export function clientHooks(
  client: TaskClient,
  runs: Record<string, { task: string; payload: unknown }>,
): Pick<PolicyBeatOptions, 'fire' | 'isRunning'> {
  return {
    async fire(schedule, occurrence) {
      const run = runs[schedule.id];
      if (!run) throw new TypeError(`Schedule "${schedule.id}" has no task to run`);
      const submitted = await client.submit(run.task, run.payload, {
        taskId: `${schedule.id}-${occurrence}`,
      });
      return submitted.taskId;
    },
    async isRunning(taskId) {
      try {
        return !FINISHED.has(await (await client.findJob(taskId)).getState());
      } catch (error) {
        if (error instanceof TaskNotFoundError) return false;
        throw error;
      }
    },
  };
}
