import type { AnyTaskImplementation } from '@foreman/core';
import { completePromptTask } from './complete-prompt.js';
import { type ProcessDueAiTasksDeps, processDueAiTasksTask } from './process-due-ai-tasks.js';
import { type RunAiTaskDeps, runAiTaskTask } from './run-ai-task.js';

export function aiTasks(deps: ProcessDueAiTasksDeps & RunAiTaskDeps): AnyTaskImplementation[] {
  return [completePromptTask(deps), processDueAiTasksTask(deps), runAiTaskTask(deps)];
}
