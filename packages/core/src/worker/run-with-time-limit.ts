/**
 * Runs `work` with a hard time limit. When the limit passes the signal is aborted and the returned
 * promise rejects at once, freeing the worker slot even if the work ignores the signal.
 */
export async function runWithTimeLimit<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: { timeoutMs: number; signal?: AbortSignal; onTimeout: () => Error },
): Promise<T> {
  const controller = new AbortController();
  const abortFromParent = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) abortFromParent();
  options.signal?.addEventListener('abort', abortFromParent, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = options.onTimeout();
      controller.abort(error);
      reject(error);
    }, options.timeoutMs);
  });
  try {
    // An async wrapper turns a synchronous throw into a rejection while starting the work at once.
    return await Promise.race([(async () => work(controller.signal))(), expired]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abortFromParent);
  }
}
