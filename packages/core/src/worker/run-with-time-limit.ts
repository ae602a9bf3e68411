import { RunAbort } from './run-abort.js';

export interface TimeLimitOptions {
  /** Hard limit: the run is stopped and the returned promise rejects with `onTimeout()`. */
  timeoutMs: number;
  onTimeout: () => Error;
  /** Soft limit: the signal is aborted with `onSoftTimeout()` so the work can wind down. */
  softTimeoutMs?: number | undefined;
  onSoftTimeout?: () => Error;
  /**
   * The run's abort: the work's signal is its signal, and stopping it (cancel, forced shutdown)
   * rejects at once with the stop's reason.
   * @defaultValue a new one, which only the limits stop
   */
  abort?: RunAbort | undefined;
}

/**
 * Runs `work` with time limits. Past the hard limit, or when the run's abort stops it, the
 * returned promise rejects at once, freeing the worker slot even if the work ignores its signal.
 * One promise and one timer per run: it wraps every task, so it stays cheap.
 */
export function runWithTimeLimit<T>(
  work: (abort: RunAbort) => Promise<T>,
  options: TimeLimitOptions,
): Promise<T> {
  const abort = options.abort ?? new RunAbort();
  const stopped = abort.stoppedBy;
  if (stopped) return Promise.reject(stopped.reason);
  return new Promise<T>((resolve, reject) => {
    let soft: NodeJS.Timeout | undefined;
    const settle = () => {
      clearTimeout(hard);
      clearTimeout(soft);
      abort.listen(undefined);
    };
    abort.listen((reason) => {
      settle();
      reject(reason);
    });
    const hard = setTimeout(() => abort.abort(options.onTimeout()), options.timeoutMs);
    if (options.softTimeoutMs !== undefined) {
      const onSoft = options.onSoftTimeout ?? options.onTimeout;
      soft = setTimeout(() => abort.warn(onSoft()), options.softTimeoutMs);
    }
    let running: Promise<T>;
    try {
      running = work(abort);
    } catch (error) {
      settle();
      return reject(error);
    }
    Promise.resolve(running).then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
