import type { PayloadOf, ResultOf, TaskContract } from './define-task.js';
import type { TaskContext } from './task-context.js';

export type TaskHandler<C extends TaskContract> = (
  payload: PayloadOf<C>,
  context: TaskContext,
) => Promise<ResultOf<C>> | ResultOf<C>;

/** A contract joined with the code that runs it; only worker apps create these. */
export interface TaskImplementation<C extends TaskContract = TaskContract> {
  readonly contract: C;
  readonly handler: TaskHandler<C>;
}

export function implementTask<C extends TaskContract>(
  contract: C,
  handler: TaskHandler<C>,
): TaskImplementation<C> {
  return Object.freeze({ contract, handler });
}
