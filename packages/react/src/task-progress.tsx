import type { ReactNode } from 'react';
import { type TaskStatus, useTaskStatus } from './use-task-status.js';

export interface TaskProgressProps<Result> {
  taskId: string;
  /** @defaultValue the `<ForemanProvider>`'s token */
  token?: string | undefined;
  /** Shown under the bar, e.g. the result once the task completed. */
  children?: (task: TaskStatus<Result>) => ReactNode;
}

/** A task's name, status and a progress bar, live. Unstyled: style it by its class names. */
export function TaskProgress<Result = unknown>({ taskId, token, children }: TaskProgressProps<Result>) {
  const { task, error } = useTaskStatus<Result>(taskId, { token });
  if (!task) {
    return error ? (
      <div className="foreman-task-progress" role="alert">
        {error.message}
      </div>
    ) : (
      <div className="foreman-task-progress" aria-busy="true" />
    );
  }
  const percent = task.status === 'completed' ? 100 : (task.progress ?? 0);
  return (
    <div className="foreman-task-progress" data-status={task.status}>
      <span className="foreman-task-name">{task.name}</span>{' '}
      <span className="foreman-task-status">{task.status}</span>
      <progress max={100} value={percent} aria-label={`${task.name} progress`}>
        {percent}%
      </progress>
      {/* The last progress message says what is going on: once the task has ended it is stale. */}
      {task.progressMessage && (task.status === 'pending' || task.status === 'running') ? (
        <span className="foreman-task-message">{task.progressMessage}</span>
      ) : null}
      {task.error ? <span className="foreman-task-error">{task.error}</span> : null}
      {children?.(task)}
    </div>
  );
}
