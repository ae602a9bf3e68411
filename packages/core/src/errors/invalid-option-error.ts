import { TaskError } from './task-error.js';

/** A constructor was given an option out of its range (e.g. a negative concurrency): nothing was built. */
export class InvalidOptionError extends TaskError {
  constructor(
    /** The class refusing it, e.g. `TaskWorker`. */
    readonly component: string,
    /** The option's name as the options interface spells it. */
    readonly option: string,
    readonly value: unknown,
    /** What it must be, e.g. `a whole number of at least 1`. */
    readonly expected: string,
  ) {
    super('OPTION_INVALID', `${component}: option "${option}" must be ${expected} (got ${String(value)})`);
  }
}
