import type { AnyTaskImplementation } from '@foreman/core/task';
import { completePromptTask } from './complete-prompt.js';
import { type ProcessDueAiTasksDeps, processDueAiTasksTask } from './process-due-ai-tasks.js';
import { type RunAiTaskDeps, runAiTaskTask } from './run-ai-task.js';

export type AiTasksDeps = ProcessDueAiTasksDeps & RunAiTaskDeps & Parameters<typeof completePromptTask>[0];

export function aiTasks(deps: AiTasksDeps): AnyTaskImplementation[] {
  return [completePromptTask(deps), processDueAiTasksTask(deps), runAiTaskTask(deps)];
}
