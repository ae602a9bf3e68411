export interface TimeLimitOptions {
  /** Hard limit: the signal is aborted and the returned promise rejects with `onTimeout()`. */
  timeoutMs: number;
  onTimeout: () => Error;
  /** Soft limit: the signal is aborted with `onSoftTimeout()` so the work can wind down. */
  softTimeoutMs?: number | undefined;
  onSoftTimeout?: () => Error;
  /** Aborting it (cancel, forced shutdown) aborts the work and rejects at once with its reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `work` with time limits. Past the hard limit, or when the parent signal aborts, the
 * returned promise rejects at once, freeing the worker slot even if the work ignores its signal.
 * One promise and one timer per run: it wraps every task, so it stays cheap.
 */
export function runWithTimeLimit<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: TimeLimitOptions,
): Promise<T> {
  const { signal: parent } = options;
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let soft: NodeJS.Timeout | undefined;
    const settle = () => {
      clearTimeout(hard);
      clearTimeout(soft);
      parent?.removeEventListener('abort', onParentAbort);
    };
    const stop = (reason: unknown) => {
      settle();
      controller.abort(reason);
      reject(reason);
    };
    const onParentAbort = () => stop(parent?.reason);
    const hard = setTimeout(() => stop(options.onTimeout()), options.timeoutMs);
    if (options.softTimeoutMs !== undefined) {
      const onSoft = options.onSoftTimeout ?? options.onTimeout;
      soft = setTimeout(() => controller.abort(onSoft()), options.softTimeoutMs);
    }
    if (parent?.aborted) return onParentAbort();
    parent?.addEventListener('abort', onParentAbort, { once: true });
    let running: Promise<T>;
    try {
      running = work(controller.signal);
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
