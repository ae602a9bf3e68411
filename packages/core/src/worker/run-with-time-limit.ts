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
 */
export async function runWithTimeLimit<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: TimeLimitOptions,
): Promise<T> {
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  let onParentAbort = () => {};
  const stopped = new Promise<never>((_, reject) => {
    const stop = (reason: unknown) => {
      controller.abort(reason);
      reject(reason);
    };
    onParentAbort = () => stop(options.signal?.reason);
    timers.push(setTimeout(() => stop(options.onTimeout()), options.timeoutMs));
    if (options.softTimeoutMs !== undefined) {
      const soft = options.onSoftTimeout ?? options.onTimeout;
      timers.push(setTimeout(() => controller.abort(soft()), options.softTimeoutMs));
    }
  });
  if (options.signal?.aborted) onParentAbort();
  options.signal?.addEventListener('abort', onParentAbort, { once: true });
  try {
    // An async wrapper turns a synchronous throw into a rejection while starting the work at once.
    return await Promise.race([(async () => work(controller.signal))(), stopped]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onParentAbort);
  }
}
